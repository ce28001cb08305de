import { type DynamicModule, type LoggerService, type LogLevel, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '#duban/config';
import { type Light, ROLE_LABELS, type Role, type TaskState } from '#duban/domain';
import { IdentityModule } from '#duban/identity';
import { PlatformModule } from '#duban/platform';
import { RectificationModule } from '#duban/rectification';
import {
  DEFAULT_DEMO_PASSWORD,
  DEMO_COUNTY_NAME,
  DEMO_PEOPLE,
  DEMO_ROOT_USERNAME,
} from './demo-content';
import { buildStory } from './demo-story';
import { DemoClock, STORY_DAYS, storyStartOf } from './demo-time';
import { DEMO_TIME_ZONE, DemoWorld } from './demo-world';

export interface DemoOptions {
  /** The one password of every demo login; default DUBAN_DEMO_PASSWORD, else duban-demo-only. */
  password?: string;
  /** Where the story ends; default the wall clock when the loader starts (read once). */
  now?: Date;
  /** Nest's own log output while the loader runs; default errors and warnings only. */
  logger?: LoggerService | LogLevel[] | false;
}

export interface DemoLogin {
  username: string;
  displayName: string;
  /** 职务 in the story. */
  title: string;
  role: Role | 'system_admin';
  roleLabel: string;
  org: string;
}

export interface DemoSummary {
  problems: number;
  recurringProblems: number;
  tasks: number;
  states: Partial<Record<TaskState, number>>;
  lights: Partial<Record<Light, number>>;
  /** Escalation level (0 = none, 1 催办 … 4 问责) → number of measures. */
  levels: Record<number, number>;
  openCases: number;
  decidedCases: number;
  auditEvents: number;
}

export interface DemoReport {
  /** False when the demo county existed already: nothing was changed. */
  created: boolean;
  /** One line, Chinese first. */
  message: string;
  /** The password of every demo login (null when nothing was created now). */
  password: string | null;
  logins: DemoLogin[];
  storyStart: Date;
  storyEnd: Date;
  summary: DemoSummary | null;
}

@Module({})
class DemoModule {
  static forRoot(config: AppConfig, clock: DemoClock): DynamicModule {
    return {
      module: DemoModule,
      imports: [
        PlatformModule.forRoot(config, { clock, poolSize: 4 }),
        IdentityModule,
        RectificationModule,
      ],
    };
  }
}

export function demoPassword(explicit?: string): string {
  const password = explicit ?? process.env.DUBAN_DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD;
  if (password.length < 12) {
    throw new Error('DUBAN_DEMO_PASSWORD must be at least 12 characters long (the API’s rule)');
  }
  return password;
}

/**
 * Loads the demo county into the configured database through the real use cases, on a clock of
 * its own that walks from STORY_DAYS days ago to now, so that every row, light, ladder step and
 * audit event is what real use over those days would have produced. Does nothing (and says so)
 * when the demo county exists already. Opens its own database pool and closes it before returning.
 */
export async function loadDemo(config: AppConfig, options: DemoOptions = {}): Promise<DemoReport> {
  // The only read of the wall clock: it anchors the story's end. Everything else runs on the
  // demo clock, which the loader moves forward by hand.
  const end = options.now ?? new Date();
  const password = demoPassword(options.password);
  const clock = new DemoClock(storyStartOf(end, DEMO_TIME_ZONE));
  const app = await NestFactory.createApplicationContext(DemoModule.forRoot(config, clock), {
    logger: options.logger ?? ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const world = new DemoWorld(app, clock, end);
    const storyStart = clock.now();
    const existing = await world.findCounty(DEMO_COUNTY_NAME);
    if (existing) {
      return {
        created: false,
        message: `演示县“${DEMO_COUNTY_NAME}”已存在，未做任何改动 — the demo county already exists; nothing was changed`,
        password: null,
        logins: await existingLogins(world),
        storyStart,
        storyEnd: end,
        summary: await summarise(world, existing, end),
      };
    }
    const system = await world.systemAdmin(
      { username: config.DUBAN_ADMIN_USERNAME, password: config.DUBAN_ADMIN_PASSWORD },
      password,
    );
    await world.createCountyAndPeople(system.actor, password);
    const policies = {
      general: await world.countyPolicy('general'),
      serious: await world.countyPolicy('serious'),
      critical: await world.countyPolicy('critical'),
    };
    await world.play(buildStory(world, (severity) => policies[severity]));
    await world.advanceTo(end);

    const logins: DemoLogin[] = world.people.map((p) => ({
      username: p.username,
      displayName: p.displayName,
      title: p.title,
      role: p.role as Role,
      roleLabel: ROLE_LABELS[p.role as Role] ?? p.role,
      org: p.org,
    }));
    if (system.createdUsername === DEMO_ROOT_USERNAME) {
      logins.unshift({
        username: DEMO_ROOT_USERNAME,
        displayName: '系统管理员',
        title: '全局系统管理员（管理账号和组织树，不参与督办业务）',
        role: 'system_admin',
        roleLabel: '全局管理员',
        org: '-',
      });
    }
    const summary = await summarise(world, world.org('county').id, end);
    return {
      created: true,
      message: `演示县“${DEMO_COUNTY_NAME}”已加载：${summary.problems}个问题、${summary.tasks}项整改措施，故事跨越${STORY_DAYS}天 — demo county loaded`,
      password,
      logins,
      storyStart,
      storyEnd: end,
      summary,
    };
  } finally {
    await app.close();
  }
}

async function existingLogins(world: DemoWorld): Promise<DemoLogin[]> {
  const rows = await world.repo.demoLogins(world.db.manager);
  const titles = new Map(DEMO_PEOPLE.map((p) => [p.username, p.title]));
  return rows.map((r) => ({
    username: r.username,
    displayName: r.displayName,
    title: titles.get(r.username) ?? '',
    role: r.role ?? 'system_admin',
    roleLabel: r.role ? (ROLE_LABELS[r.role] ?? r.role) : '全局管理员',
    org: r.org ?? '-',
  }));
}

/** What the county's lists show at `at`: counts by state, light (三色预警) and ladder level. */
async function summarise(world: DemoWorld, countyId: string, at: Date): Promise<DemoSummary> {
  const { tasks, problems, recurringProblems, cases, auditEvents } = await world.repo.counts(
    world.db.manager,
    countyId,
    at,
  );
  const count = <K extends string | number>(keys: K[]) =>
    keys.reduce<Partial<Record<K, number>>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
  return {
    problems,
    recurringProblems,
    tasks: tasks.length,
    states: count(tasks.map((t) => t.state)),
    lights: count(tasks.map((t) => t.light)),
    levels: count(tasks.map((t) => t.level)) as Record<number, number>,
    openCases: cases.find((c) => c.state === 'open')?.n ?? 0,
    decidedCases: cases.find((c) => c.state === 'decided')?.n ?? 0,
    auditEvents,
  };
}
