export * from './metrics-registry';
export * from './engine-metrics';
export { EngineFiguresRepository } from './engine-figures.repository';
export * from './http-metrics';
export * from './observability.module';
