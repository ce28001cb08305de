import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '#duban/domain';
import {
  EFFECT_LAG_WINDOW,
  EngineFiguresRepository,
  type EngineLive,
  type EngineTotals,
} from './engine-figures.repository';
import { MetricsRegistry, ScrapeRefresher } from './metrics-registry';

export { EFFECT_LAG_WINDOW, type EngineLive, type EngineTotals } from './engine-figures.repository';

/**
 * Re-counting the totals reads every row of task_effects and deliveries (about 0.5 s at
 * 7×10^5 effects and 10^6 deliveries), so they are refreshed at most this often; the due
 * timers and the lag are index range scans, read fresh on every scrape.
 */
export const ENGINE_TOTALS_MAX_AGE_MS = 30_000;

/** Every state a delivery can be in, so a state with no rows reads 0 rather than vanishing. */
const DELIVERY_STATES = ['pending', 'sent', 'dead', 'cancelled'] as const;
const DELIVERY_CHANNELS = ['email', 'webhook'] as const;
const CASE_STATES = ['open', 'decided'] as const;
const DUE_SOURCES = ['task', 'delivery', 'digest', 'chase'] as const;

/**
 * The supervision engine as Prometheus sees it, computed from PostgreSQL when scraped (the
 * totals at most every ENGINE_TOTALS_MAX_AGE_MS). Nothing is accumulated in process memory:
 * every api instance reports the same numbers, a restart loses nothing, and replicas behind a
 * load balancer never double count.
 */
@Injectable()
export class EngineMetrics implements ScrapeRefresher {
  private readonly logger = new Logger(EngineMetrics.name);

  private readonly databaseUp: Gauge;
  private readonly dueTimers: Gauge<'source'>;
  private readonly dueOldest: Gauge<'source'>;
  private readonly effectLag: Gauge<'kind' | 'stat'>;
  private readonly effectsInWindow: Gauge<'kind'>;
  private readonly effects: Counter<'kind' | 'level'>;
  private readonly superseded: Counter<'kind'>;
  private readonly deliveries: Gauge<'channel' | 'state'>;
  private readonly cases: Gauge<'state'>;
  /** The last totals read, and when (on the injected clock). */
  private totals: { at: number; value: EngineTotals } | null = null;

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    metrics: MetricsRegistry,
    private readonly figures: EngineFiguresRepository,
  ) {
    const registers = [metrics.registry];
    this.databaseUp = new Gauge({
      name: 'duban_metrics_database_up',
      help: '1 when the engine metrics below could be read from PostgreSQL on this scrape, else 0',
      registers,
    });
    this.dueTimers = new Gauge({
      name: 'duban_due_timers',
      help:
        'Timers whose time has come and that the sweep has not finished yet: task (next reminder or ' +
        'escalation step, task_timers.next_fire_at <= now), delivery (send attempt due), digest (held ' +
        'digest items due), chase (unread notice due to be re-sent)',
      labelNames: ['source'],
      registers,
    });
    this.dueOldest = new Gauge({
      name: 'duban_due_timer_oldest_seconds',
      help: 'How long the oldest due timer of each source has been waiting (0 when none is due)',
      labelNames: ['source'],
      registers,
    });
    this.effectLag = new Gauge({
      name: 'duban_effect_lag_seconds',
      help:
        `Delay between a reminder or step's planned instant and the moment it took effect ` +
        `(task_effects.fired_at - planned_at), over effects of the last ${EFFECT_LAG_WINDOW}; ` +
        'stat = p50 | p95 | max. Absent when no effect fired in the window',
      labelNames: ['kind', 'stat'],
      registers,
    });
    this.effectsInWindow = new Gauge({
      name: 'duban_effect_lag_window_effects',
      help: `Effects that fired in the last ${EFFECT_LAG_WINDOW} (the sample behind duban_effect_lag_seconds)`,
      labelNames: ['kind'],
      registers,
    });
    this.effects = new Counter({
      name: 'duban_effects_total',
      help:
        'Reminders and escalation steps applied (sent), by kind and ladder level ' +
        '(level is empty for reminders); counted from task_effects at most every 30 s',
      labelNames: ['kind', 'level'],
      registers,
    });
    this.superseded = new Counter({
      name: 'duban_effects_superseded_total',
      help:
        'Effects recorded without being sent because they were stale when their turn came ' +
        '(e.g. reminders caught up after the deadline)',
      labelNames: ['kind'],
      registers,
    });
    this.deliveries = new Gauge({
      name: 'duban_deliveries',
      help:
        'Outgoing deliveries by channel and current state: pending, sent, dead (dead letter) or ' +
        'cancelled; counted at most every 30 s. A gauge (no _total): a pending delivery moves to another state',
      labelNames: ['channel', 'state'],
      registers,
    });
    this.cases = new Gauge({
      name: 'duban_accountability_cases',
      help: 'Accountability cases (问责) by state',
      labelNames: ['state'],
      registers,
    });
    metrics.onScrape(this);
  }

  async refresh(): Promise<void> {
    const now = this.clock.now();
    const cached = this.totals;
    const age = cached ? now.getTime() - cached.at : Infinity;
    const stale = !cached || age < 0 || age >= ENGINE_TOTALS_MAX_AGE_MS;
    let live: EngineLive;
    let totals: EngineTotals;
    try {
      const [liveNow, totalsNow] = await Promise.all([
        this.figures.live(this.db.manager, now),
        stale ? this.figures.totals(this.db.manager) : null,
      ]);
      live = liveNow;
      totals = totalsNow ?? cached!.value;
    } catch (e) {
      // The scrape still answers (process metrics, HTTP); the engine series are withheld.
      this.logger.warn(`engine metrics unavailable: ${(e as Error).message}`);
      this.totals = null;
      for (const m of [this.dueTimers, this.dueOldest, this.effectLag, this.effectsInWindow]) {
        m.reset();
      }
      for (const m of [this.effects, this.superseded, this.deliveries, this.cases]) m.reset();
      this.databaseUp.set(0);
      return;
    }
    if (stale) this.totals = { at: now.getTime(), value: totals };
    this.apply(live, totals, now);
    this.databaseUp.set(1);
  }

  /** Replaces every engine series with the snapshot's values (synchronously: no torn reads). */
  private apply(s: EngineLive, t: EngineTotals, now: Date): void {
    this.dueTimers.reset();
    this.dueOldest.reset();
    for (const source of DUE_SOURCES) {
      const row = s.due.find((d) => d.source === source);
      this.dueTimers.set({ source }, Number(row?.count ?? 0));
      const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
      this.dueOldest.set(
        { source },
        oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
      );
    }

    this.effectLag.reset();
    this.effectsInWindow.reset();
    for (const kind of ['reminder', 'step']) this.effectsInWindow.set({ kind }, 0);
    for (const l of s.lag) {
      this.effectsInWindow.set({ kind: l.kind }, l.n);
      this.effectLag.set({ kind: l.kind, stat: 'p50' }, l.p50);
      this.effectLag.set({ kind: l.kind, stat: 'p95' }, l.p95);
      this.effectLag.set({ kind: l.kind, stat: 'max' }, l.max);
    }

    // Counters hold absolute counts from the table: rows of task_effects are never deleted, so
    // the series only grow, as Prometheus expects of a counter.
    this.effects.reset();
    this.superseded.reset();
    for (const e of t.effects) {
      if (e.superseded) {
        this.superseded.inc({ kind: e.kind }, e.n);
      } else {
        this.effects.inc({ kind: e.kind, level: e.level === null ? '' : String(e.level) }, e.n);
      }
    }

    this.deliveries.reset();
    for (const channel of DELIVERY_CHANNELS) {
      for (const state of DELIVERY_STATES) this.deliveries.set({ channel, state }, 0);
    }
    for (const d of t.deliveries) this.deliveries.set({ channel: d.channel, state: d.state }, d.n);

    this.cases.reset();
    for (const state of CASE_STATES) this.cases.set({ state }, 0);
    for (const c of t.cases) this.cases.set({ state: c.state }, c.n);
  }
}
