import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import { static as serveStatic, type NextFunction, type Request, type Response } from 'express';
import { installationRoot } from '#duban/config';
import { errorBody } from '../http/error.filter';

/** Paths that belong to the server, never to the web workspace's client-side routes. */
const SERVER_PATHS = /^\/(api|health|metrics|admin)(\/|$)/;

/**
 * Only this origin, nothing from outside: the workspace must run on intranets with no outside
 * access (电子政务外网), and a page that cannot load foreign scripts cannot leak to them either.
 * Evidence previews and downloads are blob: URLs made from authenticated fetches.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** Where `npm run build:web` writes the workspace (in the installation, whatever the working directory). */
export function webAppDirectory(): string {
  return resolve(installationRoot(), 'apps', 'web', 'dist');
}

function pageHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
}

/**
 * Serves the web workspace (apps/web/dist) at `/`: its hashed assets with a long cache life,
 * and index.html for every other GET outside the server's own paths, so that the client-side
 * routes (/tasks/…, /dashboard?…) survive a reload or a bookmark.
 */
export function serveWebApp(app: INestApplication, dir = webAppDirectory()): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    new Logger('WebApp').warn(
      `${index} is missing: the web workspace is not built (npm run build:web); / answers 404`,
    );
  }
  const assets = serveStatic(dir, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      if (file.startsWith(join(dir, 'assets'))) {
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      }
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path)) {
      return next();
    }
    // Files (/assets/index-3f2a.js) come from the build; a missing one is a 404, not the page.
    if (extname(req.path) !== '' && req.path !== '/index.html') return assets(req, res, next);
    if (!existsSync(index)) {
      res
        .status(404)
        .json(
          errorBody(
            404,
            'the web workspace is not built: run `npm run build:web` (or `npm run build`)',
          ),
        );
      return;
    }
    pageHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
