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
import { Pressure1764620000000 } from './migrations/1764620000000-Pressure';
import { Reinspection1764620000001 } from './migrations/1764620000001-Reinspection';
import { NegativeList1764620000002 } from './migrations/1764620000002-NegativeList';

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
  Pressure1764620000000,
  Reinspection1764620000001,
  NegativeList1764620000002,
];

export function dataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // Schema changes only through migrations, never from entity metadata.
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, application_name: 'duban' },
  };
}

export function createDataSource(databaseUrl: string, poolSize?: number): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, poolSize));
}
