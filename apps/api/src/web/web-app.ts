import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
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

/** Text files worth compressing; images and fonts (woff2) are compressed already. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.svg',
  '.json',
  '.map',
  '.txt',
  '.xml',
  '.webmanifest',
]);
/** Below this size the headers outweigh the saving. */
const MIN_COMPRESS_BYTES = 256;

type Encoding = 'br' | 'gzip';
const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** The best encoding the client accepts (brotli, then gzip), honouring `q=0`; null for none. */
export function acceptedEncoding(header: string | undefined): Encoding | null {
  const accepted = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/**
 * The compressed bodies of the build's text files, made once per file, encoding and version
 * (its mtime) and kept in memory: the build is a few hundred kilobytes, compressed on first
 * request, off the event loop.
 */
const compressed = new Map<string, { mtimeMs: number; body: Promise<Buffer> }>();

function compressedBody(file: string, mtimeMs: number, encoding: Encoding): Promise<Buffer> {
  const key = `${encoding}:${file}`;
  const hit = compressed.get(key);
  if (hit && hit.mtimeMs === mtimeMs) return hit.body;
  const body = readFile(file).then((raw) =>
    encoding === 'br'
      ? brotli(raw, {
          params: {
            [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
            [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : gz(raw, { level: 9 }),
  );
  body.catch(() => compressed.delete(key));
  compressed.set(key, { mtimeMs, body });
  return body;
}

/**
 * Sends a text file of the build compressed when the client accepts it (with `Vary:
 * Accept-Encoding` either way); returns false when it is not such a file, for the caller to
 * serve it as it is.
 */
async function sendCompressed(
  req: Request,
  res: Response,
  file: string,
  headers: Record<string, string>,
): Promise<boolean> {
  const ext = extname(file).toLowerCase();
  if (!COMPRESSIBLE.has(ext)) return false;
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  res.setHeader('Vary', 'Accept-Encoding');
  const encoding = acceptedEncoding(req.headers['accept-encoding']);
  if (!encoding || stat.size < MIN_COMPRESS_BYTES) return false;
  const body = await compressedBody(file, stat.mtimeMs, encoding);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.type(ext);
  res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', String(body.length));
  res.setHeader('Last-Modified', stat.mtime.toUTCString());
  res.status(200);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
  return true;
}

/** The file of the build a request path names, or null when it would leave the build. */
function fileOf(dir: string, path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(dir, `.${decoded}`);
  return file.startsWith(resolve(dir) + sep) ? file : null;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the web workspace (apps/web/dist) at `/`: its hashed assets with a long cache life,
 * and index.html (`no-cache`) for every other GET outside the server's own paths, so that the
 * client-side routes (/tasks/…, /dashboard?…) survive a reload or a bookmark. Text files go out
 * compressed (brotli or gzip, as the client accepts).
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
      if (file.startsWith(join(dir, 'assets') + sep)) res.setHeader('Cache-Control', IMMUTABLE);
      if (COMPRESSIBLE.has(extname(file).toLowerCase())) res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path)) {
      return next();
    }
    // Files (/assets/index-3f2a.js) come from the build; a missing one is a 404, not the page.
    if (extname(req.path) !== '' && req.path !== '/index.html') {
      const file = fileOf(dir, req.path);
      if (!file) return assets(req, res, next);
      const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
      if (file.startsWith(join(dir, 'assets') + sep)) headers['Cache-Control'] = IMMUTABLE;
      sendCompressed(req, res, file, headers).then((sent) => sent || assets(req, res, next), next);
      return;
    }
    if (!existsSync(index)) {
      res
        .status(404)
        .json(
          errorBody(
            404,
            '网页工作台尚未构建，请运行 `npm run build:web` — the web workspace is not built: run `npm run build:web` (or `npm run build`)',
          ),
        );
      return;
    }
    pageHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    sendCompressed(req, res, index, {}).then((sent) => sent || res.sendFile(index), next);
  });
}
