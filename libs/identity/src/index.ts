export * from './password-hasher';
export * from './orgs.repository';
export * from './roles.repository';
export * from './users.repository';
export * from './actor.service';
export * from './users.service';
export * from './orgs.service';
export * from './identity.module';
