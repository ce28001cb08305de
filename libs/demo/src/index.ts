export * from './demo-content';
export * from './demo-format';
export * from './demo-loader';
export * from './demo.repository';
