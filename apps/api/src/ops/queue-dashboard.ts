import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { NOTIFICATIONS_QUEUE } from '#duban/notifications';
import { ENGINE_QUEUE } from '#duban/rectification';
import { bullConnection, createQueue, QUEUES } from '#duban/scheduling';
import { errorBody } from '../http/error.filter';
import { QueueDashboardAccess } from './queue-dashboard-access';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Every queue the worker consumes (apps/worker/src/worker-host.ts). */
export const DASHBOARD_QUEUES = [QUEUES.sweep, ENGINE_QUEUE, NOTIFICATIONS_QUEUE] as const;

/**
 * The browser may load nothing from elsewhere: the page, its scripts, styles, images and
 * translations all come from this server (bull-board ships them in @bull-board/ui).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Removes tags that would make the browser fetch from another origin (bull-board links Google Fonts). */
export function withoutRemoteAssets(html: string): string {
  return html.replace(/<link\b[^>]*\bhref=["']?(?:https?:)?\/\/[^>]*>/gi, '');
}

type EntryRoute = Parameters<ExpressAdapter['setEntryRoute']>[0];

/**
 * bull-board's Express adapter, except that the page it renders is served without the remote
 * font stylesheet its template links: the dashboard must work on a network without internet
 * access, and must not tell a third party who opens it.
 */
class SelfContainedExpressAdapter extends ExpressAdapter {
  override setEntryRoute(routeDef: EntryRoute): ExpressAdapter {
    const view = (_req: Request, res: Response, next: NextFunction) => {
      const { name, params } = routeDef.handler({
        basePath: this.basePath,
        uiConfig: this.uiConfig,
      });
      res.render(name, params, (err: Error | null, html?: string) => {
        if (err) {
          next(err);
          return;
        }
        res.type('html').send(withoutRemoteAssets(html ?? ''));
      });
    };
    const routes = Array.isArray(routeDef.route) ? routeDef.route : [routeDef.route];
    for (const route of routes) this.app[routeDef.method](route, view);
    return this;
  }
}

interface Board {
  router: RequestHandler;
  queues: Queue[];
  connection: Redis;
}

/**
 * The queue dashboard (bull-board) at /admin/queues, for administrators. Read-only: the jobs
 * are copies of what PostgreSQL says is due (the sweep re-creates any that go missing), so
 * retrying, emptying or removing them by hand could only confuse the engine. The board and its
 * Redis connection are created on first use, so an api nobody inspects holds no extra
 * connection.
 */
@Injectable()
export class QueueDashboard implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueDashboard.name);
  private board?: Board;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly access: QueueDashboardAccess,
  ) {}

  /** Mount at QUEUE_DASHBOARD_PATH on the Express app. */
  readonly handler = (req: Request, res: Response, next: NextFunction): void => {
    this.access.check(req).then(
      (verdict) => {
        if (!verdict.ok) {
          res.status(verdict.status).json(errorBody(verdict.status, verdict.message));
          return;
        }
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
        res.setHeader('Referrer-Policy', 'no-referrer');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        // Every queue is read-only: say so in the api's own words (the board would send an empty 405).
        if (!['GET', 'HEAD'].includes(req.method)) {
          res.setHeader('Allow', 'GET, HEAD');
          res
            .status(405)
            .json(
              errorBody(
                405,
                '队列看板只读，不能手动改动队列 — the queue dashboard is read-only; queues cannot be changed by hand',
                { error: 'Method Not Allowed', code: 'method_not_allowed' },
              ),
            );
          return;
        }
        this.open().router(req, res, next);
      },
      (e: unknown) => {
        this.logger.error(`queue dashboard: ${e instanceof Error ? e.message : String(e)}`);
        res
          .status(500)
          .json(
            errorBody(
              500,
              '服务器内部错误，已记录，请稍后重试 — internal error; the incident was logged',
            ),
          );
      },
    );
  };

  private open(): Board {
    if (this.board) return this.board;
    const connection = bullConnection(this.config.REDIS_URL, 'producer');
    const queues = DASHBOARD_QUEUES.map((name) => {
      const queue = createQueue(name, this.config, connection);
      // The dashboard's own API answers with the error; nothing to print raw.
      queue.on('error', () => undefined);
      return queue;
    });
    const adapter = new SelfContainedExpressAdapter();
    adapter.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
      serverAdapter: adapter,
      options: {
        uiConfig: {
          boardTitle: '督办 Duban',
          locale: { lng: 'zh-CN' },
          hideDocsLink: true,
        },
      },
    });
    this.board = { router: adapter.getRouter() as RequestHandler, queues, connection };
    return this.board;
  }

  async onApplicationShutdown(): Promise<void> {
    const board = this.board;
    if (!board) return;
    this.board = undefined;
    await Promise.all(board.queues.map((q) => q.close().catch(() => undefined)));
    board.connection.disconnect();
  }
}
