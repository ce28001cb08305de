export * from './job-map';
export * from './on-job';
