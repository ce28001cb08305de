import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/**
 * Requests answered outside any route (the web workspace's pages and files, not-found answers,
 * probes): one series, whatever the URL was.
 */
export const UNMATCHED_ROUTE = 'other';

/**
 * The route a request matched, as its pattern ('/api/v1/tasks/:id'), never the raw URL: ids in
 * labels would create a series per task. Read when the response finishes, after routing.
 * Requests answered by a mounted sub-application or static handler without a route of their own
 * (Swagger UI assets, the queue dashboard's files) are labelled by their mount path.
 */
export function routeLabel(req: Pick<Request, 'baseUrl'> & { route?: { path?: unknown } }): string {
  const base = req.baseUrl ?? '';
  const path = req.route?.path;
  if (typeof path === 'string') return `${base}${path}` || '/';
  if (base) return `${base}/*`;
  return UNMATCHED_ROUTE;
}

/** Request counts and durations of the HTTP api, by method, route pattern and status. */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor(metrics: MetricsRegistry) {
    this.requests = new Counter({
      name: 'duban_http_requests_total',
      help: 'HTTP requests answered, by method, matched route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'duban_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }

  /** Express middleware; install it before everything else so every answer is counted. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routeLabel(req);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.duration.observe({ method: req.method, route }, seconds);
    });
    next();
  };
}
