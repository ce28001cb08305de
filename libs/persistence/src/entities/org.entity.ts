import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrgKind } from '#duban/domain';

/** An organisation in the Party tree (党委 → 党总支 → 党支部 → 党小组). */
@Entity({ name: 'orgs' })
export class OrgEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: OrgKind;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  /**
   * Materialised path as an ltree of the ids (without dashes) from the root down to this org.
   * A GiST index on it answers "everything under X" (`path <@ X.path`) with one index scan.
   */
  @Column('ltree')
  path!: string;

  @Column('text', { name: 'time_zone' })
  timeZone!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
