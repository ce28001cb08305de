import { Module } from '@nestjs/common';
import { EngineFiguresRepository } from './engine-figures.repository';
import { EngineMetrics } from './engine-metrics';
import { HttpMetrics } from './http-metrics';
import { MetricsRegistry } from './metrics-registry';

/**
 * Prometheus metrics of one application: process metrics, the engine's state read from
 * PostgreSQL, and (for an HTTP app) request counts and durations. Needs the platform's
 * DataSource and Clock.
 */
@Module({
  providers: [MetricsRegistry, EngineFiguresRepository, EngineMetrics, HttpMetrics],
  exports: [MetricsRegistry, EngineFiguresRepository, EngineMetrics, HttpMetrics],
})
export class ObservabilityModule {}
