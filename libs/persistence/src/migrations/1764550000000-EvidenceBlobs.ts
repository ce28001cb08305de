import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence content in the database (DUBAN_ATTACHMENTS_URL=postgres:, the default): one row per
 * distinct SHA-256 in `blobs`, its bytes in `blob_chunks` of at most 256 KiB, so that nothing
 * holds a whole file in memory and the files are in the same backups and transactions as the
 * attachments that cite them. Plain tables: ordinary SELECT/INSERT/DELETE grants suffice.
 * Only adds tables; `attachments` is untouched (files on disk move with `npm run evidence:migrate`).
 */
export class EvidenceBlobs1764550000000 implements MigrationInterface {
  name = 'EvidenceBlobs1764550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE blobs (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL CHECK (size >= 0),
        chunk_size integer NOT NULL CHECK (chunk_size > 0),
        chunks integer NOT NULL CHECK (chunks >= 0)
      )`);
    await q.query(`
      CREATE TABLE blob_chunks (
        sha256 text NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (sha256, seq)
      )`);
    // Evidence is mostly PDF, JPEG and zipped Office files: compressing them again gains nothing.
    await q.query(`ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE blob_chunks`);
    await q.query(`DROP TABLE blobs`);
  }
}
