export * from './data-source';
export * from './database-bootstrap';
export * from './org-path';
export * from './scope';
export * from './entities/org.entity';
export * from './entities/user.entity';
export * from './entities/role-assignment.entity';
export * from './returning';
