import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  severityWhileListed,
  Actor,
  CLOCK,
  type Clock,
  mayRaiseProblem,
  PROBLEM_SEVERITIES,
  type ProblemSeverity,
  forbidden,
  invalid,
  notFound,
  Page,
  PageRequest,
  problemIsClosed,
} from '#duban/domain';
import { pathToIds } from '#duban/persistence';
import { CategoryCatalog, PROBLEM_SOURCES, type ProblemSource } from '../catalog/catalog';
import { NegativeListRepository } from '../negative-list/negative-list.repository';
import { NegativeListService } from '../negative-list/negative-list.service';
import { TaskView } from '../tasks/task-record';
import { type ProblemFilter, type ProblemRow, ProblemsRepository } from './problems.repository';
import { assertActiveOrg, NewTask, TasksService } from '../tasks/tasks.service';

export const CATEGORY_CATALOG = Symbol('CategoryCatalog');

export interface NewProblem {
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  orgId: string;
  raisedByOrgId: string;
  campaign?: string;
  /** The inspection campaign (督查) whose finding this problem is. */
  campaignId?: string;
  /** Measures created with the problem, in the same transaction (all or nothing). */
  tasks?: NewTask[];
}

export type { ProblemFilter } from './problems.repository';

export interface ProblemView {
  id: string;
  title: string;
  description: string;
  category: string;
  categoryName: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign: string | null;
  campaignId: string | null;
  orgId: string;
  orgName: string;
  raisedByOrgId: string;
  raisedBy: string;
  /** withdrawn: raised in error and withdrawn (撤回); nothing is deleted. */
  state: 'open' | 'closed' | 'withdrawn';
  withdrawnAt: string | null;
  withdrawReason: string | null;
  taskCount: number;
  openTaskCount: number;
  /** 屡改屡犯: earlier problems of this org and category closed within 12 months of raising. */
  recurring: boolean;
  recurrenceCount: number;
  recurrenceOf: string[];
  createdAt: string;
  closedAt: string | null;
}

export interface ProblemDetail extends ProblemView {
  tasks: TaskView[];
  warnings?: string[];
}

@Injectable()
export class ProblemsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CATEGORY_CATALOG) private readonly catalog: CategoryCatalog,
    private readonly tasks: TasksService,
    private readonly audit: AuditLog,
    private readonly negativeList: NegativeListService,
    private readonly negativeEntries: NegativeListRepository,
    private readonly repo: ProblemsRepository,
  ) {}

  /** 立项: raise a problem, with its measures if given, in one transaction. */
  async raise(actor: Actor, input: NewProblem): Promise<ProblemDetail> {
    const { id, warnings } = await this.db.transaction((m) => this.raiseWithin(m, actor, input));
    const detail = await this.get(actor, id);
    return warnings.length ? { ...detail, warnings } : detail;
  }

  /**
   * Raises a problem and its measures inside the caller's transaction, so that a caller that
   * raises many (the ledger import) commits all of them or none.
   */
  async raiseWithin(
    m: EntityManager,
    actor: Actor,
    input: NewProblem,
  ): Promise<{ id: string; taskIds: string[]; warnings: string[] }> {
    if (!this.catalog.has(input.category)) {
      throw invalid(
        'category',
        `问题类别须为以下之一：${this.catalog.codes().join('、')} — category must be one of ${this.catalog.codes().join(', ')}`,
        'not_allowed',
      );
    }
    if (!(PROBLEM_SEVERITIES as readonly string[]).includes(input.severity)) {
      throw invalid(
        'severity',
        `严重程度须为以下之一：${PROBLEM_SEVERITIES.join('、')} — severity must be one of ${PROBLEM_SEVERITIES.join(', ')}`,
        'not_allowed',
      );
    }
    if (!(PROBLEM_SOURCES as readonly string[]).includes(input.source)) {
      throw invalid(
        'source',
        `问题来源须为以下之一：${PROBLEM_SOURCES.join('、')} — source must be one of ${PROBLEM_SOURCES.join(', ')}`,
        'not_allowed',
      );
    }
    const now = this.clock.now();
    const id = randomUUID();
    const warnings: string[] = [];
    const taskIds: string[] = [];
    const org = await this.tasks.orgInScope(m, actor, input.orgId, 'orgId');
    const raising = await this.tasks.orgInScope(m, actor, input.raisedByOrgId, 'raisedByOrgId');
    assertActiveOrg(org, 'orgId');
    const decision = mayRaiseProblem(
      actor,
      { id: raising.id, path: pathToIds(raising.path) },
      { id: org.id, path: pathToIds(org.path) },
    );
    if (!decision.allowed) throw forbidden(decision.reason);
    // 负面清单: a listed unit's new problems start one severity higher.
    const listed = await this.negativeEntries.isOrgListed(m, org.id, now);
    const severity = severityWhileListed(input.severity, listed);
    const earlier = await this.repo.recentlyClosed(m, org.id, input.category, now);
    await this.repo.insert(m, {
      id,
      title: input.title,
      description: input.description,
      category: input.category,
      severity,
      source: input.source,
      campaign: input.campaign ?? null,
      campaignId: input.campaignId ?? null,
      org: { id: org.id, path: org.path },
      raisedByOrgId: raising.id,
      raisedBy: actor.userId,
      recurrenceOf: earlier,
      at: now,
    });
    await this.audit.append(m, [
      {
        streamType: 'problem',
        streamId: id,
        at: now,
        actorId: actor.userId,
        type: 'raised',
        toState: 'open',
        data: {
          ...input,
          tasks: undefined,
          recurrenceOf: earlier,
          ...(severity !== input.severity
            ? { severity, severityRaisedFrom: input.severity, severityRaisedBy: 'negative_list' }
            : {}),
        },
      },
    ]);
    if (earlier.length > 0) {
      // 屡改屡犯: the same category back in the same org within 12 months lists the unit.
      await this.negativeList.enlist(
        m,
        [
          {
            subjectType: 'org',
            subjectId: org.id,
            orgId: org.id,
            raisingOrgId: raising.id,
            kind: 'recurrence',
            ref: id,
          },
        ],
        now,
      );
    }
    for (const [i, task] of (input.tasks ?? []).entries()) {
      const r = await this.tasks.assignWithin(
        m,
        actor,
        { id, raisedByOrgId: raising.id },
        task,
        `tasks[${i}].`,
      );
      taskIds.push(r.id);
      warnings.push(...r.warnings);
    }
    return { id, taskIds, warnings };
  }

  async get(actor: Actor, id: string): Promise<ProblemDetail> {
    const row = await this.repo.findInScope(this.db.manager, actor, id);
    if (!row)
      throw notFound(
        `问题不存在或不在你的范围内 — problem ${id} does not exist or is outside your scope`,
      );
    const tasks = await this.tasks.list(actor, { problemId: id }, { page: 1, pageSize: 200 });
    return { ...this.toView(row), tasks: tasks.items };
  }

  async list(actor: Actor, filter: ProblemFilter, page: PageRequest): Promise<Page<ProblemView>> {
    const { rows, total } = await this.repo.list(
      this.db.manager,
      actor,
      filter,
      page,
      this.clock.now(),
    );
    return {
      items: rows.map((r) => this.toView(r)),
      total,
      page: page.page,
      pageSize: page.pageSize,
    };
  }

  private toView(r: ProblemRow): ProblemView {
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      category: r.category,
      categoryName: this.catalog.nameOf(r.category),
      severity: r.severity,
      source: r.source,
      campaign: r.campaign,
      campaignId: r.campaign_id,
      orgId: r.org_id,
      orgName: r.org_name,
      raisedByOrgId: r.raised_by_org_id,
      raisedBy: r.raised_by,
      state: r.withdrawn_at
        ? 'withdrawn'
        : problemIsClosed({ taskCount: r.task_count, openTaskCount: r.open_task_count })
          ? 'closed'
          : 'open',
      withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
      withdrawReason: r.withdraw_reason ?? null,
      taskCount: r.task_count,
      openTaskCount: r.open_task_count,
      recurring: r.recurrence_of.length > 0,
      recurrenceCount: r.recurrence_of.length,
      recurrenceOf: r.recurrence_of,
      createdAt: r.created_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
    };
  }
}
