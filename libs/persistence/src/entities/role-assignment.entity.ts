import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '#duban/domain';

/** A role a user holds in one organisation; it covers that org's whole subtree. */
@Entity({ name: 'role_assignments' })
export class RoleAssignmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'org_id' })
  orgId!: string;

  @Column('text')
  role!: Role;

  @Column('uuid', { name: 'granted_by', nullable: true })
  grantedBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
