export * from './commitments';
export * from './reviews';
export * from './assessment';
export * from './quarterly-feedback';
