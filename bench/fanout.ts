import { DeliveryDueSource } from '#duban/notifications';
import { QuarterlyService } from '#duban/rectification';
import { quarterOf } from '#duban/domain';
import { DataSource } from 'typeorm';
import { WAVE_TIME_ZONE } from './generate';
import { GOALS, rssFigure } from './lib/goals';
import { benchQueue, engineContext, Figure, FixedClock, peakRssMb, seconds } from './lib/context';

/**
 * Quarter start for the open tasks of the wave's cities: wall time until every person's single
 * reminder is persisted and its e-mail job queued, against the floor measured in the same run:
 * a raw INSERT … SELECT of the same notification rows plus a raw addBulk of as many no-op jobs.
 */
export async function fanout(generatedAt: Date): Promise<Figure[]> {
  // The quarter start runs on the quarter's first day: after its 15 days of grace a quarter start
  // asks nobody for a report (docs/workflow.md), so "now" is the current quarter's day one.
  const now = new Date(quarterOf(generatedAt, WAVE_TIME_ZONE).start.getTime() + 9 * 3600 * 1000);
  const prefix = `bench-fanout-${process.pid}`;
  const app = await engineContext(new FixedClock(now), prefix);
  const db = app.get(DataSource);
  const real = benchQueue('notifications', prefix);
  const floorQueue = benchQueue('floor', prefix);
  try {
    const label = quarterOf(now, WAVE_TIME_ZONE).label;
    await db.query(`DELETE FROM quarter_runs WHERE time_zone = $1`, [WAVE_TIME_ZONE]);

    // Floor: the same rows with plain SQL, and as many plain jobs.
    const f0 = process.hrtime.bigint();
    const inserted = await db.query(
      `INSERT INTO notifications (id, user_id, kind, title, body, data, dedupe_key, created_at)
       SELECT gen_random_uuid(), t.responsible_user_id, 'floor', '季度进展报告提醒', '请报告本季度整改进展',
              jsonb_build_object('tasks', jsonb_agg(jsonb_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at))),
              'floor:' || $2, $3
         FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
        WHERE ro.time_zone = $1 AND t.state IN ('assigned', 'in_progress')
        GROUP BY t.responsible_user_id
       RETURNING id`,
      [WAVE_TIME_ZONE, label, now],
    );
    const people = inserted.length;
    for (let i = 0; i < people; i += 5000) {
      await floorQueue.queue.addBulk(
        Array.from({ length: Math.min(5000, people - i) }, (_, k) => ({
          name: 'noop',
          data: { n: i + k },
          opts: { jobId: `floor.${i + k}` },
        })),
      );
    }
    const floor = seconds(f0);
    await db.query(`DELETE FROM notifications WHERE kind = 'floor'`);

    // The real thing: the quarterly run, then the sweep's claims of the e-mail deliveries.
    const r0 = process.hrtime.bigint();
    const notified = await app.get(QuarterlyService).start(WAVE_TIME_ZONE, label);
    const deliveries = app.get(DeliveryDueSource);
    let queued = 0;
    for (;;) {
      const jobs = await deliveries.claim(now, 5000);
      if (jobs.length === 0) break;
      await real.queue.addBulk(
        jobs.map((j) => ({
          name: j.name,
          data: j.data,
          opts: { jobId: j.jobId.replaceAll(':', '.'), attempts: 1 },
        })),
      );
      queued += jobs.length;
    }
    const elapsed = seconds(r0);
    const tasks = (
      await db.query(
        `SELECT count(*)::int AS n FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
          WHERE ro.time_zone = $1 AND t.state IN ('assigned', 'in_progress')`,
        [WAVE_TIME_ZONE],
      )
    )[0].n;
    const ratio = elapsed / floor;
    return [
      {
        figure: 'fanout: quarter start, reminders persisted + e-mail jobs queued',
        value: elapsed,
        unit: 's',
        baseline: floor,
        ratio,
        goal: `≤ ${GOALS.fanoutVsFloor}× floor`,
        met: ratio <= GOALS.fanoutVsFloor,
        perItem: { key: 'fanout: s per open task', value: elapsed / Math.max(tasks, 1) },
        note: `${tasks} open tasks, ${notified} people notified (floor: ${people}), ${queued} e-mail jobs`,
      },
      rssFigure('fanout: peak RSS of the process doing the worker’s job', peakRssMb()),
    ];
  } finally {
    await real.close();
    await floorQueue.close();
    await app.close();
  }
}
