export * from './platform.module';
export * from './logger';
export * from './redis-state';
export * from './unavailable';
export * from './start-failure';
export * from './clock';
