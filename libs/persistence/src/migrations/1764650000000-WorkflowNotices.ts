import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow notices without spam: a person's own digest time (每日汇总 at the time they chose;
 * DUBAN_DIGEST_TIME when null), and the key under which a burst of notices of one kind about
 * one problem is merged into one unread notice listing the measures.
 */
export class WorkflowNotices1764650000000 implements MigrationInterface {
  name = 'WorkflowNotices1764650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notification_settings
        ADD COLUMN digest_time text CHECK (digest_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')`);
    await q.query(`
      ALTER TABLE notifications
        ADD COLUMN coalesce_key text CHECK (length(coalesce_key) BETWEEN 1 AND 300)`);
    await q.query(
      `CREATE INDEX notifications_coalesce ON notifications (user_id, kind, coalesce_key, created_at)
        WHERE coalesce_key IS NOT NULL AND read_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifications_coalesce`);
    await q.query(`ALTER TABLE notifications DROP COLUMN coalesce_key`);
    await q.query(`ALTER TABLE notification_settings DROP COLUMN digest_time`);
  }
}
