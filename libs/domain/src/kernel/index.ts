// The shared kernel: framework-free primitives (errors, paging) every lib may import.
export * from './errors';
export * from './page';
export * from './messages';
