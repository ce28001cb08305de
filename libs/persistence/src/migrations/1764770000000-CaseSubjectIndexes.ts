import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 负面清单 counts the accountability cases about an org, or naming a person, opened within a
 * year — once for every measure that reaches the 通报 step. Neither count had an index: each
 * read the whole `accountability_cases` table, so the ladder slowed down as cases accumulated
 * (the hour-long soak of 2026-12-02 at BENCH_SCALE=1: the most frequent statement after 40
 * minutes, with ~39,000 cases). Subjects by org and opening time in a b-tree; the people named
 * in a GIN index, which answers `subject_user_ids @> ARRAY[$1]` (not `$1 = ANY(…)`).
 */
export class CaseSubjectIndexes1764770000000 implements MigrationInterface {
  name = 'CaseSubjectIndexes1764770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX accountability_cases_subject_org_opened
         ON accountability_cases (subject_org_id, opened_at)`,
    );
    await q.query(
      `CREATE INDEX accountability_cases_subject_users
         ON accountability_cases USING gin (subject_user_ids)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX accountability_cases_subject_users`);
    await q.query(`DROP INDEX accountability_cases_subject_org_opened`);
  }
}
