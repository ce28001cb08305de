export * from './anchor';
export * from './anchor-store';
export * from './anchor.service';
export * from './audit-hash';
export * from './audit-log';
export * from './audit.module';
export * from './canonical-json';
export * from './verify-chain';
