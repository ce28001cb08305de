import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsRegistry } from '#duban/observability';
import { Public } from '../auth/decorators';

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Public()
  @Get('metrics')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition 0.0.4), public like /health',
    description:
      'duban_due_timers{source}, duban_due_timer_oldest_seconds{source}, ' +
      'duban_effect_lag_seconds{kind,stat} (last hour), duban_effects_total{kind,level}, ' +
      'duban_effects_superseded_total{kind}, duban_deliveries{channel,state}, ' +
      'duban_accountability_cases{state}, duban_http_requests_total{method,route,status}, ' +
      'duban_http_request_duration_seconds{method,route}, duban_metrics_database_up, and the ' +
      'standard process_* / nodejs_* metrics. The engine series are read from PostgreSQL when ' +
      'scraped (due timers and lag every time, the totals at most every 30 s), so every api ' +
      'instance reports the same values.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The metrics as Prometheus text',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.scrape();
    res.status(200).setHeader('Content-Type', this.metrics.contentType);
    res.send(body);
  }
}
