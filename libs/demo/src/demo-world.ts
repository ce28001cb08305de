import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type Actor,
  addCalendarDays,
  type CheckResult,
  DEFAULT_TIME_ZONE,
  type EscalationPolicy,
  localDateOf,
  policyForSeverity,
  type ProblemSeverity,
  startOfLocalDay,
  type TaskMode,
  type WorkingDayCalendar,
} from '#duban/domain';
import { ActorService, type OrgView, OrgsService, UsersService } from '#duban/identity';
import {
  AccountabilityService,
  type CaseOutcome,
  EscalationPolicyService,
  LadderService,
  type ProblemSource,
  ProblemsService,
  QuarterlyService,
  TasksService,
  WORKING_DAY_CALENDAR,
} from '#duban/rectification';
import { JOB } from '#duban/scheduling';
import {
  DEMO_ORGS,
  DEMO_PEOPLE,
  DEMO_ROOT_USERNAME,
  type DemoPerson,
  type OrgKey,
  type PersonKey,
} from './demo-content';
import { DemoClock, StoryTime } from './demo-time';
import { DemoRepository } from './demo.repository';

export const DEMO_TIME_ZONE = DEFAULT_TIME_ZONE;

export interface DemoTaskSpec {
  /** The story's name for the measure, e.g. 'T1a'. */
  key: string;
  measure: string;
  org: OrgKey;
  person: PersonKey;
  leader?: PersonKey;
  mode: TaskMode;
  /** A local date (end of that day); absent for standing measures. */
  dueDate?: string;
}

export interface DemoProblemSpec {
  key: string;
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign?: string;
  org: OrgKey;
  raisedBy: OrgKey;
  tasks: DemoTaskSpec[];
}

/** One thing that happens in the story, at its time. */
export interface StoryStep {
  at: Date;
  /** What happens, for error messages: "T1b: 验收未通过 by demo.supervisor". */
  label: string;
  /** The measure it acts on, if any: its steps must be in time order. */
  task?: string;
  run: () => Promise<void>;
}

/** A created person, for the printed table of logins. */
export interface CreatedPerson {
  username: string;
  displayName: string;
  title: string;
  role: string;
  org: string;
}

/** Ladder sweeps between two story steps never need more stops than this; more means a bug. */
const MAX_STOPS = 100_000;

/**
 * The demo's hands: the real use cases (the same services the api and the worker call), the
 * people who act, and the engine run the way the worker runs it — but on the demo clock.
 */
export class DemoWorld {
  readonly db: DataSource;
  readonly repo = new DemoRepository();
  readonly time: StoryTime;
  private readonly orgsService: OrgsService;
  private readonly usersService: UsersService;
  private readonly actorService: ActorService;
  private readonly problems: ProblemsService;
  private readonly tasks: TasksService;
  private readonly accountability: AccountabilityService;
  private readonly ladder: LadderService;
  private readonly quarterly: QuarterlyService;
  private readonly policies: EscalationPolicyService;

  readonly orgs = new Map<OrgKey, OrgView>();
  private readonly userIds = new Map<string, string>();
  private readonly actors = new Map<string, Actor>();
  readonly taskIds = new Map<string, string>();
  readonly problemIds = new Map<string, string>();
  private readonly extensionIds = new Map<string, string>();
  readonly people: CreatedPerson[] = [];

  constructor(
    app: INestApplicationContext,
    readonly clock: DemoClock,
    end: Date,
  ) {
    this.db = app.get(DataSource);
    this.orgsService = app.get(OrgsService);
    this.usersService = app.get(UsersService);
    this.actorService = app.get(ActorService);
    this.problems = app.get(ProblemsService);
    this.tasks = app.get(TasksService);
    this.accountability = app.get(AccountabilityService);
    this.ladder = app.get(LadderService);
    this.quarterly = app.get(QuarterlyService);
    this.policies = app.get(EscalationPolicyService);
    const calendar = app.get<WorkingDayCalendar>(WORKING_DAY_CALENDAR);
    this.time = new StoryTime(end, DEMO_TIME_ZONE, calendar);
  }

  // --- the county and its people ----------------------------------------------------------

  /** The demo county if it exists already (the loader then does nothing). */
  async findCounty(name: string): Promise<string | null> {
    return this.repo.rootOrgNamed(this.db.manager, name);
  }

  /**
   * The system administrator who creates the county. The first one of the database if any;
   * otherwise the configured one (as the api creates it at start), otherwise demo.root.
   */
  async systemAdmin(
    configured: { username?: string; password?: string },
    demoPassword: string,
  ): Promise<{ actor: Actor; createdUsername: string | null }> {
    let createdUsername: string | null = null;
    if (!(await this.firstSystemAdmin())) {
      const username =
        configured.username && configured.password ? configured.username : DEMO_ROOT_USERNAME;
      const password =
        configured.username && configured.password ? configured.password : demoPassword;
      if (await this.usersService.ensureSystemAdmin(username, password)) createdUsername = username;
    }
    const id = await this.firstSystemAdmin();
    if (!id) throw new Error('no system administrator could be found or created');
    return { actor: await this.actor(id), createdUsername };
  }

  private async firstSystemAdmin(): Promise<string | null> {
    return this.repo.firstSystemAdmin(this.db.manager);
  }

  private async actor(userId: string): Promise<Actor> {
    let actor = this.actors.get(userId);
    if (!actor) {
      const loaded = await this.actorService.load(userId);
      if (!loaded) throw new Error(`user ${userId} is not active`);
      actor = loaded;
      this.actors.set(userId, actor);
    }
    return actor;
  }

  /**
   * 建组织、建账号、授角色: the system administrator creates the county and its admin; the
   * county's admin (赵磊) creates everything below it and everyone else, as the api would.
   */
  async createCountyAndPeople(system: Actor, password: string): Promise<void> {
    const [root, ...rest] = DEMO_ORGS;
    this.orgs.set(
      root.key,
      await this.orgsService.create(system, { name: root.name, kind: root.kind }),
    );
    const [admin, ...others] = DEMO_PEOPLE;
    await this.createPerson(system, admin, password);
    const countyAdmin = await this.actor(this.userId(admin.key));
    for (const org of rest) {
      const parent = this.org(org.parent!);
      this.orgs.set(
        org.key,
        await this.orgsService.create(countyAdmin, {
          name: org.name,
          kind: org.kind,
          parentId: parent.id,
        }),
      );
    }
    for (const p of others) await this.createPerson(countyAdmin, p, password);
    // Roles are in place now: load every actor afresh.
    this.actors.clear();
  }

  private async createPerson(by: Actor, p: DemoPerson, password: string): Promise<void> {
    const user = await this.usersService.create(by, {
      username: p.username,
      displayName: p.displayName,
      password,
    });
    this.userIds.set(p.key, user.id);
    for (const r of p.roles) {
      await this.orgsService.assignRole(by, this.org(r.org).id, user.id, r.role);
      this.people.push({
        username: p.username,
        displayName: p.displayName,
        title: p.title,
        role: r.role,
        org: this.org(r.org).name,
      });
    }
  }

  org(key: OrgKey): OrgView {
    const org = this.orgs.get(key);
    if (!org) throw new Error(`demo org ${key} has not been created`);
    return org;
  }

  userId(key: PersonKey): string {
    const id = this.userIds.get(key);
    if (!id) throw new Error(`demo person ${key} has not been created`);
    return id;
  }

  private as(key: PersonKey): Promise<Actor> {
    return this.actor(this.userId(key));
  }

  private task(key: string): string {
    const id = this.taskIds.get(key);
    if (!id) throw new Error(`demo measure ${key} has not been assigned yet`);
    return id;
  }

  /** The escalation policy that applies to problems the county raises, by severity. */
  async countyPolicy(severity: ProblemSeverity): Promise<EscalationPolicy> {
    const { document } = await this.policies.effective(this.db, this.pathOf('county'));
    return policyForSeverity(document, severity);
  }

  private pathOf(key: OrgKey): string {
    return this.org(key)
      .path.map((id) => id.replace(/-/g, ''))
      .join('.');
  }

  // --- the use cases, by the right people ------------------------------------------------------

  /** 立项 + 交办: a problem with its measures, in one transaction. */
  async raise(by: PersonKey, p: DemoProblemSpec): Promise<void> {
    const detail = await this.problems.raise(await this.as(by), {
      title: p.title,
      description: p.description,
      category: p.category,
      severity: p.severity,
      source: p.source,
      campaign: p.campaign,
      orgId: this.org(p.org).id,
      raisedByOrgId: this.org(p.raisedBy).id,
      tasks: p.tasks.map((t) => ({
        measure: t.measure,
        responsibleOrgId: this.org(t.org).id,
        responsibleUserId: this.userId(t.person),
        leaderUserId: t.leader ? this.userId(t.leader) : undefined,
        mode: t.mode,
        dueDate: t.dueDate,
      })),
    });
    this.problemIds.set(p.key, detail.id);
    for (const t of p.tasks) {
      const created = detail.tasks.find((x) => x.measure === t.measure);
      if (!created) throw new Error(`measure ${t.key} was not created with problem ${p.key}`);
      this.taskIds.set(t.key, created.id);
    }
  }

  async accept(task: string, by: PersonKey, comment?: string): Promise<void> {
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'accept',
      input: { comment },
    });
  }

  async progress(task: string, by: PersonKey, content: string, percent?: number): Promise<void> {
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'reportProgress',
      input: { content, percent },
    });
  }

  async submit(task: string, by: PersonKey, summary: string): Promise<void> {
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'submit',
      input: { summary },
    });
  }

  async verify(task: string, by: PersonKey, passed: boolean, comment?: string): Promise<void> {
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'verify',
      input: { passed, comment },
    });
  }

  async close(task: string, by: PersonKey, comment?: string): Promise<void> {
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'close',
      input: { comment },
    });
  }

  async check(task: string, by: PersonKey, result: CheckResult, note?: string): Promise<void> {
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'recordCheck',
      input: { result, note },
    });
  }

  async reopen(task: string, by: PersonKey, reason: string, newDueDate?: string): Promise<void> {
    await this.tasks.reopen(await this.as(by), this.task(task), { reason, newDueDate });
  }

  async requestExtension(
    task: string,
    by: PersonKey,
    input: { newDueDate: string; reason: string; progress: string },
  ): Promise<void> {
    const view = await this.tasks.requestExtension(await this.as(by), this.task(task), input);
    this.extensionIds.set(task, view.id);
  }

  async decideExtension(
    task: string,
    by: PersonKey,
    approve: boolean,
    comment: string,
  ): Promise<void> {
    const requestId = this.extensionIds.get(task);
    if (!requestId) throw new Error(`no extension was requested for ${task}`);
    await this.tasks.transition(await this.as(by), this.task(task), {
      action: 'decideExtension',
      input: { requestId, approve, comment },
    });
  }

  /** 问责决定: the case the ladder opened for this measure, decided by discipline inspection. */
  async decideCase(
    task: string,
    by: PersonKey,
    outcome: CaseOutcome,
    reason: string,
  ): Promise<void> {
    const caseId = await this.repo.openCaseOf(this.db.manager, this.task(task));
    if (caseId === null) {
      throw new Error(`no open accountability case for ${task}: the ladder has not reached 问责`);
    }
    await this.accountability.decide(await this.as(by), caseId, { outcome, reason });
  }

  // --- the engine, on the demo clock -----------------------------------------------------------

  /**
   * Moves the clock to `target`, stopping wherever the worker would have acted: at every
   * instant a reminder or step falls due (so each fires at its planned time) and at every local
   * midnight (so the quarterly rhythm starts and turns late on its day).
   */
  async advanceTo(target: Date): Promise<void> {
    for (let stops = 0; ; stops++) {
      if (stops > MAX_STOPS) throw new Error('the demo engine does not settle; giving up');
      const now = this.clock.now();
      const next = await this.repo.nextFireAt(this.db.manager);
      const midnight = startOfLocalDay(
        addCalendarDays(localDateOf(now, DEMO_TIME_ZONE), 1),
        DEMO_TIME_ZONE,
      );
      let stop = midnight;
      if (next && next.getTime() < stop.getTime()) stop = next;
      if (stop.getTime() > target.getTime()) break;
      if (stop.getTime() > now.getTime()) this.clock.set(stop);
      await this.tick();
    }
    if (target.getTime() > this.clock.now().getTime()) this.clock.set(target);
    await this.tick();
  }

  /** One sweep, as the worker does it: the due ladders, then the quarter's jobs. */
  private async tick(): Promise<void> {
    const now = this.clock.now();
    const due = await this.repo.dueTaskIds(this.db.manager, now);
    if (due.length > 0) await this.ladder.processTasks(due);
    for (const job of await this.quarterly.claim(now)) {
      const zone = job.data.timeZone as string;
      const quarter = job.data.quarter as string;
      if (job.name === JOB.quarterStart) await this.quarterly.start(zone, quarter);
      else if (job.name === JOB.quarterLate) await this.quarterly.late(zone, quarter);
    }
  }

  /** Plays the steps in time order, running the engine in between. */
  async play(steps: StoryStep[]): Promise<void> {
    const ordered = steps
      .map((s, i) => ({ s, i }))
      .sort((a, b) => a.s.at.getTime() - b.s.at.getTime() || a.i - b.i)
      .map(({ s }) => s);
    const lastOf = new Map<string, StoryStep>();
    for (const s of steps) {
      if (s.at.getTime() >= this.time.end.getTime()) {
        throw new Error(`demo step "${s.label}" is not before the end of the story`);
      }
      if (!s.task) continue;
      const before = lastOf.get(s.task);
      if (before && before.at.getTime() >= s.at.getTime()) {
        throw new Error(`demo step "${s.label}" would happen before "${before.label}"`);
      }
      lastOf.set(s.task, s);
    }
    for (const s of ordered) {
      await this.advanceTo(s.at);
      try {
        await s.run();
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(`演示步骤失败 demo step failed — ${s.label}: ${message}`, { cause: e });
      }
    }
  }
}
