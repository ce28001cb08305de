export * from './workflow-notices';
export * from './quarterly-notices';
