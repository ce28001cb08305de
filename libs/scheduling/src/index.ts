export * from './queues';
export * from './sweep-pattern';
export * from './sweep/sweep.service';
export * from './sweep/sweep-state.repository';
export * from './due-work';
export * from './job-retry';
export * from './stuck-work';
export * from './jobs';
