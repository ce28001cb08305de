export * from './password-hasher';
export * from './actor.service';
export * from './users.service';
export * from './orgs.service';
export * from './identity.module';
