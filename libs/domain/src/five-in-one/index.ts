export * from './commitments';
export * from './reviews';
export * from './assessment';
