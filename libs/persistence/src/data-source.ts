import { DataSource, DataSourceOptions } from 'typeorm';
import { OrgEntity } from './entities/org.entity';
import { RoleAssignmentEntity } from './entities/role-assignment.entity';
import { UserEntity } from './entities/user.entity';
import { Foundation1763780000000 } from './migrations/1763780000000-Foundation';
import { Lifecycle1763790000000 } from './migrations/1763790000000-Lifecycle';
import { AuditAndLights1763800000000 } from './migrations/1763800000000-AuditAndLights';
import { Engine1763810000000 } from './migrations/1763810000000-Engine';
import { Notifications1763820000000 } from './migrations/1763820000000-Notifications';
import { OpenTaskIndexes1763830000000 } from './migrations/1763830000000-OpenTaskIndexes';
import { TaskActedBy1764500000000 } from './migrations/1764500000000-TaskActedBy';
import { SessionsAndOrgCalendars1764520000000 } from './migrations/1764520000000-SessionsAndOrgCalendars';
import { APP_ROLE, LeastPrivilege1764510000000 } from './migrations/1764510000000-LeastPrivilege';

export { APP_ROLE };
import { EvidenceBlobs1764550000000 } from './migrations/1764550000000-EvidenceBlobs';
import { Campaigns1764610000000 } from './migrations/1764610000000-Campaigns';
import { FiveInOne1764600000000 } from './migrations/1764600000000-FiveInOne';
import { Circulars1764630000000 } from './migrations/1764630000000-Circulars';
import { Pressure1764620000000 } from './migrations/1764620000000-Pressure';
import { Reinspection1764620000001 } from './migrations/1764620000001-Reinspection';
import { NegativeList1764620000002 } from './migrations/1764620000002-NegativeList';
import { WorkflowNotices1764650000000 } from './migrations/1764650000000-WorkflowNotices';
import { ImportsAndCalendarFeeds1764640000000 } from './migrations/1764640000000-ImportsAndCalendarFeeds';
import { Administration1764660000000 } from './migrations/1764660000000-Administration';
import { CommitmentMemberRatings1764760000000 } from './migrations/1764760000000-CommitmentMemberRatings';
import { CaseSubjectIndexes1764770000000 } from './migrations/1764770000000-CaseSubjectIndexes';
import { HotTaskUpdates1764780000000 } from './migrations/1764780000000-HotTaskUpdates';

export const ENTITIES = [OrgEntity, UserEntity, RoleAssignmentEntity];

/** Every migration, in order. Listed explicitly so source and compiled code load the same set. */
export const MIGRATIONS = [
  Foundation1763780000000,
  Lifecycle1763790000000,
  AuditAndLights1763800000000,
  Engine1763810000000,
  Notifications1763820000000,
  OpenTaskIndexes1763830000000,
  TaskActedBy1764500000000,
  SessionsAndOrgCalendars1764520000000,
  LeastPrivilege1764510000000,
  EvidenceBlobs1764550000000,
  Campaigns1764610000000,
  FiveInOne1764600000000,
  Circulars1764630000000,
  Pressure1764620000000,
  Reinspection1764620000001,
  NegativeList1764620000002,
  WorkflowNotices1764650000000,
  ImportsAndCalendarFeeds1764640000000,
  Administration1764660000000,
  CommitmentMemberRatings1764760000000,
  CaseSubjectIndexes1764770000000,
  HotTaskUpdates1764780000000,
];

export interface DataSourceRole {
  /**
   * The role every pooled connection takes at connect (`-c role=…`, PostgreSQL's own SET ROLE
   * at session start). Unset: the login's own role, which is the owner's for migrations.
   */
  role?: string;
}

export function dataSourceOptions(
  databaseUrl: string,
  poolSize = 10,
  { role }: DataSourceRole = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // Schema changes only through migrations, never from entity metadata.
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: poolSize,
      application_name: 'duban',
      ...(role ? { options: `-c role=${role}` } : {}),
    },
  };
}

export function createDataSource(
  databaseUrl: string,
  poolSize?: number,
  role?: DataSourceRole,
): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, poolSize, role));
}

/**
 * The api's and worker's pool: as `duban_app`, which may not alter the schema, rewrite the
 * audit record or switch triggers off. `appDatabaseUrl` (DUBAN_APP_DATABASE_URL) is a separate,
 * non-superuser login that is a member of duban_app; without it the owner's login is used and
 * each connection switches role at start.
 */
export function createAppDataSource(
  databaseUrl: string,
  poolSize?: number,
  appDatabaseUrl?: string,
): DataSource {
  return createDataSource(appDatabaseUrl || databaseUrl, poolSize, { role: APP_ROLE });
}
