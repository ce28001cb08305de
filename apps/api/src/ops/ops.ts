import type { INestApplication } from '@nestjs/common';
import { HttpMetrics } from '#duban/observability';
import { CalendarController } from './calendar.controller';
import { MetricsController } from './metrics.controller';
import { OrgCalendarController } from './org-calendar.controller';
import { QUEUE_DASHBOARD_PATH, QueueDashboard } from './queue-dashboard';
import { QueueDashboardAccess } from './queue-dashboard-access';
import { QueuesSessionTokens } from './queues-session';
import { QueuesSessionController } from './queues-session.controller';

/** Operations endpoints (metrics, queue dashboard) and the calendar overrides, for AppModule. */
export const OPS_CONTROLLERS = [
  MetricsController,
  QueuesSessionController,
  CalendarController,
  OrgCalendarController,
];
export const OPS_PROVIDERS = [QueuesSessionTokens, QueueDashboardAccess, QueueDashboard];

/**
 * What must sit on the Express app itself rather than behind a Nest route: the request
 * metrics (first, so every answer is counted, body-parser refusals included) and the queue
 * dashboard, which is an Express sub-application.
 */
export function installOperations(app: INestApplication): void {
  app.use(app.get(HttpMetrics).middleware);
  app.use(QUEUE_DASHBOARD_PATH, app.get(QueueDashboard).handler);
}
