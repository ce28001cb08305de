import { hash } from '@node-rs/argon2';
import { Client } from 'pg';
import { BENCH_DATABASE_URL, freshBenchDatabase } from './lib/bench-db';
import { benchScale, Sizes, sizesFor } from './lib/scale';

/** The time zone of the cities in the quarterly fan-out wave (4 of 16 cities). */
export const WAVE_TIME_ZONE = 'Asia/Urumqi';
export const WAVE_CITIES = 4;
export const BENCH_PASSWORD = 'bench-password-1';

export interface Generated {
  sizes: Sizes;
  orgs: number;
  users: number;
  problems: number;
  tasks: number;
  openTasks: number;
  seconds: number;
}

const CATEGORIES = [
  'political_function',
  'organisation_system',
  'organisational_life',
  'secretary_and_cadres',
  'work_style',
  'member_education',
  'facilities_and_funding',
  'assessment_and_accountability',
  'public_work',
  'grassroots_burden',
];

/**
 * A province in PostgreSQL, set-based (INSERT … SELECT generate_series), so 10^6 measures load
 * in minutes: 1 province → 16 cities → 10 counties each → 10 towns each → branches → groups;
 * people with roles in every town and branch; two measures per problem in mixed states with
 * deadlines spread over a year around `now`, the overdue ones at every ladder level, and every
 * open task's next timer in the future (an idle engine).
 */
export async function generate(now: Date, url = BENCH_DATABASE_URL): Promise<Generated> {
  const started = process.hrtime.bigint();
  const sizes = sizesFor(benchScale());
  await freshBenchDatabase(url);
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const q = (sql: string, params: unknown[] = []) => pg.query(sql, params);
  try {
    await q(`SET synchronous_commit = off`);
    const label = `replace(id::text, '-', '')`;
    await q(
      `INSERT INTO orgs (id, name, kind, parent_id, path, time_zone, created_at)
       SELECT id, '示范省委', 'work_committee', NULL, text2ltree(${label}), 'Asia/Shanghai', $1
         FROM (SELECT gen_random_uuid() AS id) x`,
      [now],
    );
    const level = async (
      parentKind: string,
      parentDepth: number,
      kind: string,
      n: number,
      name: string,
    ) =>
      q(
        `INSERT INTO orgs (id, name, kind, parent_id, path, time_zone, created_at)
         SELECT c.id, p.name || '·${name}' || c.n, $2, p.id, p.path || text2ltree(replace(c.id::text, '-', '')),
                p.time_zone, $1
           FROM orgs p CROSS JOIN LATERAL (
             SELECT gen_random_uuid() AS id, n FROM generate_series(1, ${n}) n WHERE p.id IS NOT NULL) c
          WHERE p.kind = $3 AND nlevel(p.path) = ${parentDepth}`,
        [now, kind, parentKind],
      );
    await level('work_committee', 1, 'committee', sizes.cities, '市委');
    // The fan-out wave's cities keep another zone, so one quarter start covers just them.
    await q(
      `UPDATE orgs SET time_zone = $1 WHERE nlevel(path) = 2 AND id IN (
         SELECT id FROM orgs WHERE nlevel(path) = 2 ORDER BY name LIMIT ${WAVE_CITIES})`,
      [WAVE_TIME_ZONE],
    );
    await level('committee', 2, 'committee', sizes.countiesPerCity, '县委');
    await level('committee', 3, 'committee', sizes.townsPerCounty, '镇党委');
    await level('committee', 4, 'branch', sizes.branchesPerTown, '村党支部');
    await level('branch', 5, 'group', sizes.groupsPerBranch, '党小组');

    // People: each town has a secretary, a supervisor and discipline; each branch a secretary
    // and three members (the responsible persons).
    await q(`
      CREATE TEMP TABLE gen_people AS
      SELECT gen_random_uuid() AS user_id, o.id AS org_id, r.role, r.slot
        FROM orgs o JOIN (VALUES ('committee', 'secretary', 0), ('committee', 'supervisor', 0),
                                 ('committee', 'discipline', 0), ('branch', 'secretary', 0),
                                 ('branch', 'member', 0), ('branch', 'member', 1), ('branch', 'member', 2))
                         r(kind, role, slot) ON r.kind = o.kind
       WHERE nlevel(o.path) IN (4, 5)`);
    await q(`CREATE INDEX ON gen_people (org_id, role, slot)`);
    await q(`ANALYZE gen_people`);
    const passwordHash = await hash(BENCH_PASSWORD);
    await q(
      `INSERT INTO users (id, username, display_name, password_hash, email, system_admin, active, created_at)
       SELECT user_id, 'u' || replace(user_id::text, '-', ''), '同志' || left(user_id::text, 6), $1,
              'u' || left(replace(user_id::text, '-', ''), 12) || '@example.org', false, true, $2
         FROM gen_people`,
      [passwordHash, now],
    );
    await q(
      `INSERT INTO role_assignments (id, user_id, org_id, role, granted_by, created_at)
       SELECT gen_random_uuid(), user_id, org_id, role, NULL, $1 FROM gen_people`,
      [now],
    );

    // Branches numbered 0..n-1 with their town's people, for round-robin assignment.
    await q(`
      CREATE TEMP TABLE gen_branches AS
      SELECT b.id, b.path, b.parent_id AS town_id, (row_number() OVER (ORDER BY b.id)) - 1 AS i,
             (SELECT user_id FROM gen_people WHERE org_id = b.parent_id AND role = 'supervisor') AS supervisor,
             (SELECT user_id FROM gen_people WHERE org_id = b.parent_id AND role = 'secretary') AS leader,
             tw.path AS town_path,
             ARRAY(SELECT user_id FROM gen_people WHERE org_id = b.id AND role = 'member' ORDER BY slot) AS members
        FROM orgs b JOIN orgs tw ON tw.id = b.parent_id WHERE b.kind = 'branch'`);
    await q(`CREATE INDEX ON gen_branches (i)`);
    const branches = (await q(`SELECT count(*)::int AS n FROM gen_branches`)).rows[0].n as number;
    const problems = Math.ceil(sizes.tasks / 2);
    await q(
      `INSERT INTO problems (id, title, description, category, severity, source, campaign, org_id, org_path,
          raised_by_org_id, raised_by, recurrence_of, task_count, open_task_count, created_at)
       SELECT gen_random_uuid(), '督查发现问题 ' || g, '第' || g || '号问题：会议记录缺失，整改不到位', ($3::text[])[1 + g % 10],
              (ARRAY['general', 'general', 'serious', 'critical'])[1 + g % 4],
              (ARRAY['quarterly_check', 'inspection_tour', 'self_inspection', 'public_report'])[1 + g % 4],
              '2026年第' || (1 + g % 4) || '季度党建督查', b.id, b.path, b.town_id, b.supervisor, '{}', 2, 0,
              $1::timestamptz - interval '200 days' + (g % 150) * interval '1 day'
         FROM generate_series(0, $2::int - 1) g JOIN gen_branches b ON b.i = g % ${branches}`,
      [now, problems, CATEGORIES],
    );
    // Two measures per problem. The state mix: 40% closed, 30% in progress, 10% assigned,
    // 10% submitted, 10% verified; deadlines from 180 days ago to 185 days ahead.
    await q(
      `INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path, responsible_org_id,
          responsible_org_path, responsible_user_id, leader_user_id, mode, due_at, state, version,
          escalation_level, blue_from, created_at, updated_at, closed_at, deadline_set_at,
          supervised, circulated, last_progress_at)
       SELECT gen_random_uuid(), p.id, '整改措施：' || p.title || ' · ' || k, p.raised_by_org_id, b.town_path,
              p.org_id, p.org_path, b.members[1 + (k + h) % 3], b.leader, 'deadline', d.due, s.state, 3,
              CASE WHEN s.state IN ('assigned', 'in_progress') AND d.due < $1 THEN
                   least(4, 1 + (($1::date - d.due::date) / 7)) ELSE 0 END,
              d.due - interval '3 days', p.created_at, p.created_at,
              CASE WHEN s.state = 'closed' THEN least(d.due, $1) END, p.created_at,
              false, false, p.created_at
         FROM problems p
         JOIN gen_branches b ON b.id = p.org_id
         CROSS JOIN generate_series(0, 1) k
         CROSS JOIN LATERAL (SELECT abs(hashtext(p.id::text || k)) AS h) hh
         CROSS JOIN LATERAL (SELECT (CASE WHEN hh.h % 10 < 4 THEN 'closed' WHEN hh.h % 10 < 7 THEN 'in_progress'
                                          WHEN hh.h % 10 < 8 THEN 'assigned' WHEN hh.h % 10 < 9 THEN 'submitted'
                                          ELSE 'verified' END) AS state) s
         CROSS JOIN LATERAL (SELECT date_trunc('day', $1::timestamptz) + ((hh.h / 10) % 366 - 180) * interval '1 day'
                                    + interval '15 hours 59 minutes 59.999 seconds' AS due) d
        LIMIT $2`,
      [now, sizes.tasks],
    );
    await q(
      `UPDATE tasks SET supervised = escalation_level >= 2, circulated = escalation_level >= 3 WHERE escalation_level > 0`,
    );
    // The open measures' next timers, spread over the coming month.
    await q(
      `INSERT INTO task_timers (task_id, next_fire_at)
       SELECT id, $1::timestamptz + (1 + abs(hashtext(id::text)) % 30) * interval '1 day'
         FROM tasks WHERE state IN ('assigned', 'in_progress')`,
      [now],
    );
    // The ladder's history of the overdue measures, as a province that has run for half a year
    // holds it: the two reminders before each deadline and every step up to the level reached,
    // under the keys the ladder uses. Without it the effects table starts empty, its statistics
    // say so, and the wave's look-ups of applied keys scan it whole (found on 2026-12-02).
    await q(
      `INSERT INTO task_effects (task_id, effect_key, kind, level, name, deadline, planned_at, fired_at)
       SELECT t.id, e.key || '@' || to_char(t.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              e.kind, e.level, e.name, t.due_at, t.due_at + e.after, t.due_at + e.after
         FROM tasks t
         CROSS JOIN (VALUES ('reminder:wd:7', 'reminder', NULL::int, NULL::text, interval '-9 days'),
                            ('reminder:wd:1', 'reminder', NULL, NULL, interval '-1 day'),
                            ('step:1', 'step', 1, '催办', interval '0'),
                            ('step:2', 'step', 2, '督办', interval '7 days'),
                            ('step:3', 'step', 3, '通报', interval '14 days'),
                            ('step:4', 'step', 4, '问责', interval '21 days')) e(key, kind, level, name, after)
        WHERE t.escalation_level > 0 AND coalesce(e.level, 0) <= t.escalation_level`,
    );
    await q(`
      UPDATE problems p SET task_count = c.n, open_task_count = c.open,
             closed_at = CASE WHEN c.open = 0 THEN c.last_closed END
        FROM (SELECT problem_id, count(*)::int AS n, count(*) FILTER (WHERE state <> 'closed')::int AS open,
                     max(closed_at) AS last_closed FROM tasks GROUP BY problem_id) c
       WHERE c.problem_id = p.id`);
    await q(`ANALYZE`);
    const counts = (
      await q(`SELECT (SELECT count(*) FROM orgs)::int AS orgs, (SELECT count(*) FROM users)::int AS users,
                      (SELECT count(*) FROM problems)::int AS problems, (SELECT count(*) FROM tasks)::int AS tasks,
                      (SELECT count(*) FROM tasks WHERE state IN ('assigned', 'in_progress'))::int AS open`)
    ).rows[0];
    return {
      sizes,
      orgs: counts.orgs,
      users: counts.users,
      problems: counts.problems,
      tasks: counts.tasks,
      openTasks: counts.open,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    await pg.end();
  }
}

/** The figures of a database an earlier run generated (BENCH_REUSE=1). */
export async function describeExisting(url = BENCH_DATABASE_URL): Promise<Generated> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const c = (
      await pg.query(`SELECT (SELECT count(*) FROM orgs)::int AS orgs, (SELECT count(*) FROM users)::int AS users,
                             (SELECT count(*) FROM problems)::int AS problems, (SELECT count(*) FROM tasks)::int AS tasks,
                             (SELECT count(*) FROM tasks WHERE state IN ('assigned', 'in_progress'))::int AS open`)
    ).rows[0];
    return {
      sizes: sizesFor(benchScale()),
      orgs: c.orgs,
      users: c.users,
      problems: c.problems,
      tasks: c.tasks,
      openTasks: c.open,
      seconds: 0,
    };
  } finally {
    await pg.end();
  }
}

if (require.main === module) {
  generate(new Date())
    .then((g) => {
      process.stdout.write(`${JSON.stringify(g, null, 2)}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
}
