export * from './metrics-registry';
export * from './engine-metrics';
export * from './http-metrics';
export * from './observability.module';
