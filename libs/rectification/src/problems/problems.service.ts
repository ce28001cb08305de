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
  offsetOf,
  Page,
  PageRequest,
} from '#duban/domain';
import { containsPattern, pathToIds, scopeCondition, scopeParams } from '#duban/persistence';
import { CategoryCatalog, PROBLEM_SOURCES, type ProblemSource } from '../catalog/catalog';
import { NegativeListRepository } from '../negative-list/negative-list.repository';
import { NegativeListService } from '../negative-list/negative-list.service';
import { TaskView } from '../tasks/task-record';
import { assertActiveOrg, NewTask, TasksService } from '../tasks/tasks.service';

export const CATEGORY_CATALOG = Symbol('CategoryCatalog');

/** 屡改屡犯: an earlier problem of the same org and category closed within this window. */
const RECURRENCE_WINDOW = '12 months';

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

export interface ProblemFilter {
  orgId?: string;
  state?: 'open' | 'closed' | 'withdrawn';
  category?: string;
  severity?: ProblemSeverity;
  source?: ProblemSource;
  campaign?: string;
  overdue?: boolean;
  recurring?: boolean;
  q?: string;
}

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

interface ProblemRow {
  id: string;
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign: string | null;
  campaign_id: string | null;
  org_id: string;
  org_name: string;
  raised_by_org_id: string;
  raised_by: string;
  recurrence_of: string[];
  task_count: number;
  open_task_count: number;
  created_at: Date;
  closed_at: Date | null;
  withdrawn_at?: Date | null;
  withdraw_reason?: string | null;
}

/**
 * A problem is visible to whoever can see its org, and to whoever can see one of its tasks
 * (a branch responsible for a measure sees the problem it belongs to).
 */
const PROBLEM_SCOPE = `(${scopeCondition('p.org_path', '$1', '$2')} OR EXISTS (
  SELECT 1 FROM tasks st WHERE st.problem_id = p.id AND ${scopeCondition('st.responsible_org_path', '$1', '$2')}))`;

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
    const earlier: { id: string }[] = await m.query(
      `SELECT id FROM problems
        WHERE org_id = $1 AND category = $2 AND closed_at IS NOT NULL
          AND closed_at >= $3::timestamptz - interval '${RECURRENCE_WINDOW}'
        ORDER BY closed_at DESC`,
      [org.id, input.category, now],
    );
    await m.query(
      `INSERT INTO problems (id, title, description, category, severity, source, campaign, org_id,
          org_path, raised_by_org_id, raised_by, recurrence_of, created_at, campaign_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::ltree, $10, $11, $12, $13, $14)`,
      [
        id,
        input.title,
        input.description,
        input.category,
        severity,
        input.source,
        input.campaign ?? null,
        org.id,
        org.path,
        raising.id,
        actor.userId,
        earlier.map((e) => e.id),
        now,
        input.campaignId ?? null,
      ],
    );
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
          recurrenceOf: earlier.map((e) => e.id),
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
    const rows: ProblemRow[] = await this.db.query(
      `SELECT p.*, o.name AS org_name FROM problems p JOIN orgs o ON o.id = p.org_id
        WHERE p.id = $3 AND ${PROBLEM_SCOPE}`,
      [...scopeParams(actor), id],
    );
    if (rows.length === 0)
      throw notFound(
        `问题不存在或不在你的范围内 — problem ${id} does not exist or is outside your scope`,
      );
    const tasks = await this.tasks.list(actor, { problemId: id }, { page: 1, pageSize: 200 });
    return { ...this.toView(rows[0]), tasks: tasks.items };
  }

  async list(actor: Actor, filter: ProblemFilter, page: PageRequest): Promise<Page<ProblemView>> {
    const now = this.clock.now();
    const params: unknown[] = [...scopeParams(actor)];
    const where = [PROBLEM_SCOPE];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.orgId)
      add((p) => `p.org_path <@ (SELECT path FROM orgs WHERE id = ${p})`, filter.orgId);
    if (filter.state === 'open') where.push(`(p.closed_at IS NULL AND p.withdrawn_at IS NULL)`);
    if (filter.state === 'withdrawn') where.push(`(p.withdrawn_at IS NOT NULL)`);
    if (filter.state === 'closed') where.push(`(p.closed_at IS NOT NULL)`);
    if (filter.category) add((p) => `p.category = ${p}`, filter.category);
    if (filter.severity) add((p) => `p.severity = ${p}`, filter.severity);
    if (filter.source) add((p) => `p.source = ${p}`, filter.source);
    if (filter.campaign) add((p) => `p.campaign = ${p}`, filter.campaign);
    if (filter.recurring !== undefined) {
      where.push(
        filter.recurring ? `cardinality(p.recurrence_of) > 0` : `cardinality(p.recurrence_of) = 0`,
      );
    }
    if (filter.q)
      add((p) => `(p.title || ' ' || p.description) ILIKE ${p}`, containsPattern(filter.q));
    if (filter.overdue !== undefined) {
      add(
        (p) =>
          `${filter.overdue ? '' : 'NOT '}EXISTS (SELECT 1 FROM tasks ot WHERE ot.problem_id = p.id
             AND ot.state NOT IN ('verified', 'closed') AND ot.withdrawn_at IS NULL
             AND ot.due_at < ${p})`,
        now,
      );
    }
    const whereSql = where.join(' AND ');
    const [rows, count] = await Promise.all([
      this.db.query(
        `SELECT p.*, o.name AS org_name FROM problems p JOIN orgs o ON o.id = p.org_id
          WHERE ${whereSql}
          ORDER BY p.closed_at IS NOT NULL, p.created_at DESC, p.id
          LIMIT ${page.pageSize} OFFSET ${offsetOf(page)}`,
        params,
      ) as Promise<ProblemRow[]>,
      this.db.query(
        `SELECT count(*)::int AS n FROM problems p WHERE ${whereSql}`,
        params,
      ) as Promise<{ n: number }[]>,
    ]);
    return {
      items: rows.map((r) => this.toView(r)),
      total: count[0].n,
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
        : r.task_count > 0 && r.open_task_count === 0
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
