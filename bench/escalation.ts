import { DataSource } from 'typeorm';
import { LadderService, TaskTimerSource } from '#duban/rectification';
import { engineContext, Figure, FixedClock, peakRssMb, seconds } from './lib/context';
import { GOALS, rssFigure } from './lib/goals';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

/** Puts `count` open tasks just past their deadline, their ladder untouched: step 1 is due. */
async function prepareWave(
  db: DataSource,
  now: Date,
  count: number,
  offset: number,
): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM tasks WHERE state = 'in_progress' AND escalation_level = 0 ORDER BY id OFFSET $2 LIMIT $1`,
    [count, offset],
  );
  const ids = rows.map((r) => r.id);
  await db.query(
    `UPDATE tasks SET due_at = $2::timestamptz - interval '1 minute', deadline_set_at = $2::timestamptz - interval '60 days',
            escalation_level = 0
      WHERE id = ANY($1)`,
    [ids, now],
  );
  await db.query(
    `INSERT INTO task_timers (task_id, next_fire_at) SELECT unnest($1::uuid[]), $2
     ON CONFLICT (task_id) DO UPDATE SET next_fire_at = EXCLUDED.next_fire_at, claimed_until = NULL`,
    [ids, now],
  );
  return ids;
}

/**
 * With the whole dataset loaded, a wave of tasks crosses a ladder step at once: wall time until
 * every effect and notification is applied exactly once (claimed by the sweep, processed in
 * batches by CONCURRENCY parallel job runners, as a worker would), against the floor: one raw
 * UPDATE of those rows and INSERT of the effect rows in one transaction. Also the cost of an
 * idle sweep tick, which should be an index probe.
 */
export async function escalation(now: Date, wave: number): Promise<Figure[]> {
  const app = await engineContext(new FixedClock(now), `bench-escalation-${process.pid}`);
  const db = app.get(DataSource);
  const timers = app.get(TaskTimerSource);
  const ladder = app.get(LadderService);
  try {
    // Idle tick first (nothing due): median of repeated claims, against a bare round trip.
    const probe = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = process.hrtime.bigint();
        await fn();
        times.push(seconds(t0) * 1000);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    };
    const idle = await probe(() => timers.claim(now, 5000));
    const roundTrip = await probe(() => db.query('SELECT 1'));
    const plan: { 'QUERY PLAN': string }[] = await db.query(
      `EXPLAIN SELECT task_id FROM task_timers WHERE next_fire_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
        ORDER BY next_fire_at LIMIT 5000 FOR UPDATE SKIP LOCKED`,
      [now],
    );

    const floorIds = await prepareWave(db, now, wave, 0);
    const f0 = process.hrtime.bigint();
    await db.transaction(async (m) => {
      await m.query(`UPDATE tasks SET escalation_level = 1 WHERE id = ANY($1)`, [floorIds]);
      await m.query(`DELETE FROM task_timers WHERE task_id = ANY($1)`, [floorIds]);
      await m.query(
        `INSERT INTO task_effects (task_id, effect_key, kind, level, name, deadline, planned_at, fired_at)
         SELECT id, k.key || '@floor', k.kind, k.level, k.name, due_at, due_at, $2
           FROM tasks CROSS JOIN (VALUES ('reminder:7', 'reminder', NULL::int, NULL), ('reminder:1', 'reminder', NULL, NULL),
                                         ('step:1', 'step', 1, '催办')) k(key, kind, level, name)
          WHERE id = ANY($1)`,
        [floorIds, now],
      );
    });
    const floor = seconds(f0);

    const ids = await prepareWave(db, now, wave, 0);
    const r0 = process.hrtime.bigint();
    for (;;) {
      const jobs = await timers.claim(now, 5000);
      if (jobs.length === 0) break;
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < jobs.length) {
            const job = jobs[next++];
            await ladder.processTasks(job.data.taskIds as string[]);
          }
        }),
      );
    }
    const elapsed = seconds(r0);
    const [check] = await db.query(
      `SELECT count(*) FILTER (WHERE kind = 'step')::int AS steps, count(*)::int AS effects,
              count(DISTINCT task_id)::int AS tasks
         FROM task_effects WHERE task_id = ANY($1) AND effect_key NOT LIKE '%@floor'`,
      [ids],
    );
    const ratio = elapsed / floor;
    return [
      {
        figure: 'escalation: a wave crosses step 1 (effects + notifications applied once)',
        value: elapsed,
        unit: 's',
        baseline: floor,
        ratio,
        goal: `≤ ${GOALS.escalationVsFloor}× floor`,
        met: ratio <= GOALS.escalationVsFloor,
        perItem: {
          key: 'escalation: s per task crossing a step',
          value: elapsed / Math.max(ids.length, 1),
        },
        note: `${ids.length} tasks, ${check.steps} step effects, ${check.effects} effect rows, concurrency ${CONCURRENCY}`,
      },
      {
        figure: 'idle sweep tick: claim with nothing due',
        value: idle,
        unit: 'ms',
        baseline: roundTrip,
        ratio: idle / roundTrip,
        goal: 'an index probe',
        met: plan.some((p) => /Index/.test(p['QUERY PLAN'])),
        note: plan.map((p) => p['QUERY PLAN'].trim()).join(' | '),
      },
      rssFigure('escalation: peak RSS of the process doing the worker’s job', peakRssMb()),
    ];
  } finally {
    await app.close();
  }
}
