export * from './audit-hash';
export * from './audit-log';
export * from './audit.module';
export * from './canonical-json';
export * from './verify-chain';
