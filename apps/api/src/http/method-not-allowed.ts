import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from './error.filter';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * The methods each documented path answers, from the OpenAPI document's `paths` (which Nest
 * builds from the registered routes): a function from a request path to the methods allowed
 * on it, or null for a path no route knows.
 */
export function allowedMethods(paths: Record<string, object>): (path: string) => string[] | null {
  const routes = Object.entries(paths).map(([template, item]) => ({
    pattern: new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}/?$`,
    ),
    methods: Object.keys(item)
      .filter((m) => HTTP_METHODS.includes(m))
      .map((m) => m.toUpperCase()),
  }));
  return (path) => {
    const methods = new Set<string>();
    for (const r of routes) if (r.pattern.test(path)) r.methods.forEach((m) => methods.add(m));
    if (methods.size === 0) return null;
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/**
 * A wrong method on a known path answers 405 with `Allow` (RFC 9110 15.5.6), in the usual
 * error body, instead of a 404 that says the path does not exist. OPTIONS is left alone.
 */
export function installMethodNotAllowed(
  app: INestApplication,
  paths: Record<string, object>,
): void {
  const allowed = allowedMethods(paths);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS') return next();
    const methods = allowed(req.path);
    if (!methods || methods.includes(req.method)) return next();
    res.setHeader('Allow', methods.join(', '));
    res
      .status(405)
      .json(
        errorBody(
          405,
          `该地址不支持 ${req.method} 请求，可用：${methods.join('、')} — ` +
            `${req.method} is not allowed on ${req.path}; allowed: ${methods.join(', ')}`,
          { error: 'Method Not Allowed', code: 'method_not_allowed' },
        ),
      );
  });
}
