import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  username!: string;

  @Column('text', { name: 'display_name' })
  displayName!: string;

  @Column('text', { name: 'password_hash', select: false })
  passwordHash!: string;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  phone!: string | null;

  /** The bootstrap administrator (created from DUBAN_ADMIN_*): manages the whole tree. */
  @Column('boolean', { name: 'system_admin' })
  systemAdmin!: boolean;

  @Column('boolean')
  active!: boolean;

  /** Tokens carry the generation they were issued under; bumping it revokes them all. */
  @Column('integer', { name: 'token_generation' })
  tokenGeneration!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
