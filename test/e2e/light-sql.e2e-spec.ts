import fc from 'fast-check';
import { Client } from 'pg';
import {
  CHECK_RESULTS,
  LIGHTS,
  lightOf,
  TASK_STATES,
  type CheckResult,
  type TaskState,
} from '#duban/domain';
import { lightConditionSql, lightSql } from '#duban/rectification';
import { createTestDatabase } from '../support/test-database';

/**
 * Lists filter by light in SQL; the detail view computes it with lightOf. Both must agree on
 * every combination, or a red task could be missing from the red list.
 */
describe('the light in SQL agrees with lightOf', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
  });

  it('on generated tasks and instants', async () => {
    const base = Date.parse('2026-11-01T00:00:00Z');
    const instant = fc.integer({ min: -10, max: 10 }).map((d) => new Date(base + d * 86400_000));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TaskState>(...TASK_STATES),
        fc.boolean(),
        instant,
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
        fc.option(fc.constantFrom<CheckResult>(...CHECK_RESULTS), { nil: null }),
        fc.boolean(),
        instant,
        fc.boolean(),
        async (state, standing, dueAt, blueDays, check, late, now, withdrawn) => {
          const due = standing ? null : dueAt;
          const blue =
            due && blueDays !== null ? new Date(due.getTime() - blueDays * 86400_000) : null;
          const expected = lightOf({
            state,
            dueAt: due,
            mode: standing ? 'standing' : 'deadline',
            lastCheckResult: check,
            quarterlyReportLate: late,
            now,
            blueWindowStartsAt: blue,
            withdrawn,
          });
          const { rows } = await pg.query(
            `SELECT ${lightSql('$6::timestamptz')} AS light,
                    ${LIGHTS.map((l) => `${lightConditionSql(l, '$6::timestamptz')} AS is_${l}`).join(', ')}
               FROM (SELECT $1::text AS state, $2::timestamptz AS due_at, $3::timestamptz AS blue_from,
                            $4::text AS last_check_result, $5::boolean AS quarterly_report_late,
                            $7::timestamptz AS withdrawn_at,
                            -- as the generated column tasks.stage (migration 1764780000000)
                            CASE $1::text WHEN 'closed' THEN 2 WHEN 'verified' THEN 1 ELSE 0 END AS stage) t`,
            [state, due, blue, check, late, now, withdrawn ? now : null],
          );
          expect(rows[0].light).toBe(expected);
          // The filter for each light selects exactly the tasks of that light.
          for (const l of LIGHTS) expect(rows[0][`is_${l}`]).toBe(l === expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
