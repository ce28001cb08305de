export * from './catalog/catalog';
export * from './problems/problems.service';
export * from './tasks/calendar';
export * from './tasks/refusal';
export * from './tasks/task-record';
export * from './tasks/tasks.service';
export * from './rectification.module';
