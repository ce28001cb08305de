export * from './platform.module';
export * from './logger';
