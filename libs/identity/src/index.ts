// Transitional: the kernel moved to libs/domain; importers are being moved to '#duban/domain'.
export {
  conflict,
  DEFAULT_ERROR_CODE,
  DomainError,
  type DomainErrorKind,
  forbidden,
  invalid,
  isUniqueViolation,
  notFound,
  offsetOf,
  type Page,
  type PageRequest,
} from '#duban/domain';
export * from './password-hasher';
export * from './actor.service';
export * from './users.service';
export * from './orgs.service';
export * from './identity.module';
