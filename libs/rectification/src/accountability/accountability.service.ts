import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  Actor,
  CaseParties,
  CLOCK,
  type Clock,
  whyNotDecideCase,
  conflict,
  forbidden,
  invalid,
  notFound,
  offsetOf,
  Page,
  PageRequest,
} from '#duban/domain';
import { NotificationsService } from '#duban/notifications';
import { pathToIds, returning, scopeCondition, scopeParams } from '#duban/persistence';

/** Forms of accountability (问责条例 2019, art. 8), or 容错免责. */
export const ORG_OUTCOMES = ['inspection', 'circulated_notice', 'reorganisation'] as const;
export const PERSON_OUTCOMES = [
  'admonishment',
  'organisational_adjustment',
  'disciplinary',
] as const;
export const CASE_OUTCOMES = [...ORG_OUTCOMES, ...PERSON_OUTCOMES, 'exempted'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const CASE_OUTCOME_LABELS: Record<CaseOutcome, string> = {
  inspection: '检查',
  circulated_notice: '通报',
  reorganisation: '改组',
  admonishment: '诫勉',
  organisational_adjustment: '组织调整或者组织处理',
  disciplinary: '纪律处分',
  exempted: '容错免责',
};

export interface CaseView {
  id: string;
  /** Null for a case opened by the five-in-one loop rather than by a measure's ladder. */
  taskId: string | null;
  measure: string;
  problemId: string | null;
  problemTitle: string;
  raisingOrgId: string;
  subjectOrgId: string;
  subjectOrgName: string;
  subjectUserIds: string[];
  openedAt: string;
  state: 'open' | 'decided';
  outcome: CaseOutcome | null;
  outcomeLabel: string | null;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface CaseDetail extends CaseView {
  /** What the caller may do with the case now: `decide` while it is open and they may. */
  actions: 'decide'[];
  /** Why the caller may not decide this open case (e.g. `conflict_of_interest`), else null. */
  decideRefusal: { code: string; message: string } | null;
  /** The ladder that led here: every reminder and step applied, oldest first. */
  escalations: {
    key: string;
    kind: string;
    level: number | null;
    name: string | null;
    at: string;
    notified: string[];
  }[];
}

interface CaseRow {
  id: string;
  task_id: string | null;
  measure: string;
  problem_id: string | null;
  problem_title: string;
  raising_org_id: string;
  raising_org_path: string;
  subject_org_id: string;
  subject_org_path: string;
  subject_org_name: string;
  subject_user_ids: string[];
  opened_at: Date;
  state: 'open' | 'decided';
  outcome: CaseOutcome | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
}

// A case opened by the five-in-one loop (a 差 grade, an unfulfilled commitment) has no task:
// its source_summary stands in for the measure and the problem.
const CASE_SELECT = `SELECT c.*, c.raising_org_path::text AS raising_org_path,
    c.subject_org_path::text AS subject_org_path,
    coalesce(t.measure, c.source_summary) AS measure, t.problem_id,
    coalesce(p.title, c.source_summary) AS problem_title, so.name AS subject_org_name
  FROM accountability_cases c LEFT JOIN tasks t ON t.id = c.task_id
  LEFT JOIN problems p ON p.id = t.problem_id
  JOIN orgs so ON so.id = c.subject_org_id`;

/**
 * 问责: cases opened by the last step of the ladder. The software gathers the record; people
 * decide — the raising org's discipline inspection (纪委) or secretary, once, with a reason.
 * A case is never deleted, whatever later happens to its task.
 */
@Injectable()
export class AccountabilityService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly notifications: NotificationsService,
  ) {}

  async list(
    actor: Actor,
    filter: { state?: 'open' | 'decided'; orgId?: string },
    page: PageRequest,
  ): Promise<Page<CaseView>> {
    const params: unknown[] = [...scopeParams(actor)];
    const where = [scopeCondition('c.subject_org_path', '$1', '$2')];
    if (filter.state) {
      params.push(filter.state);
      where.push(`c.state = $${params.length}`);
    }
    if (filter.orgId) {
      params.push(filter.orgId);
      where.push(`c.subject_org_path <@ (SELECT path FROM orgs WHERE id = $${params.length})`);
    }
    const sql = where.join(' AND ');
    const rows: CaseRow[] = await this.db.query(
      `${CASE_SELECT} WHERE ${sql} ORDER BY c.state = 'decided', c.opened_at DESC, c.id
        LIMIT ${page.pageSize} OFFSET ${offsetOf(page)}`,
      params,
    );
    const count: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM accountability_cases c WHERE ${sql}`,
      params,
    );
    return { items: rows.map(toView), total: count[0].n, page: page.page, pageSize: page.pageSize };
  }

  async get(actor: Actor, id: string): Promise<CaseDetail> {
    const row = await this.row(actor, id);
    const effects: {
      effect_key: string;
      kind: string;
      level: number | null;
      name: string | null;
      fired_at: Date;
      notified: string[];
    }[] = await this.db.query(
      `SELECT effect_key, kind, level, name, fired_at, notified FROM task_effects
          WHERE task_id = $1 AND NOT superseded ORDER BY fired_at, id`,
      [row.task_id],
    );
    const refusal = row.state === 'open' ? whyNotDecideCase(actor, partiesOf(row)) : null;
    return {
      ...toView(row),
      actions: row.state === 'open' && !refusal ? ['decide'] : [],
      decideRefusal: refusal ? { code: refusal.code, message: refusal.reason } : null,
      escalations: effects.map((e) => ({
        key: e.effect_key,
        kind: e.kind,
        level: e.level,
        name: e.name,
        at: e.fired_at.toISOString(),
        notified: e.notified,
      })),
    };
  }

  async decide(
    actor: Actor,
    id: string,
    input: { outcome: CaseOutcome; reason: string },
  ): Promise<CaseDetail> {
    const row = await this.row(actor, id);
    if (!(CASE_OUTCOMES as readonly string[]).includes(input.outcome)) {
      throw invalid(
        'outcome',
        `问责结果须为以下之一：${CASE_OUTCOMES.join('、')} — outcome must be one of ${CASE_OUTCOMES.join(', ')}`,
        'not_allowed',
      );
    }
    if (!input.reason?.trim()) {
      throw invalid(
        'reason',
        '请填写理由：每项问责决定（包括容错免责）都须写明理由 — reason: a written reason is required for every decision (including 容错免责)',
        'required',
      );
    }
    // Who may decide, and never a subject or someone of the subject org (conflicts.ts).
    const refusal = whyNotDecideCase(actor, partiesOf(row));
    if (refusal) throw forbidden(refusal.reason, refusal.code);
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const updated = await returning(
        m,
        `UPDATE accountability_cases SET state = 'decided', outcome = $2, reason = $3, decided_by = $4, decided_at = $5
          WHERE id = $1 AND state = 'open' RETURNING id`,
        [id, input.outcome, input.reason.trim(), actor.userId, now],
      );
      if (updated.length === 0)
        throw conflict(
          `该问责案件已作出决定，决定不可更改 — accountability case ${id} has already been decided; a decision is final`,
          undefined,
          'case_decided',
        );
      await this.audit.append(m, [
        {
          streamType: 'accountability_case',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'decided',
          fromState: 'open',
          toState: 'decided',
          data: { outcome: input.outcome, reason: input.reason.trim() },
        },
      ]);
      // Its subjects are told of the decision (routine: their daily digest).
      await this.notifications.notify(
        m,
        {
          userIds: row.subject_user_ids.filter((u) => u !== actor.userId),
          kind: 'case_decided',
          dedupeKey: `case:${id}:decided`,
          params: {
            caseId: id,
            taskId: row.task_id,
            taskMeasure: row.measure,
            outcomeLabel: CASE_OUTCOME_LABELS[input.outcome],
            reason: input.reason.trim(),
          },
        },
        now,
      );
      // The subject org's robot and those above it hear of the decision (an org-level event).
      await this.notifications.postOrgEvent(
        m,
        {
          orgId: row.subject_org_id,
          kind: 'accountability_decided',
          dedupeKey: `case:${id}:decided`,
          title: `【问责决定】${row.subject_org_name}：${row.measure}`,
          body: `问题：${row.problem_title}\n决定：${input.outcome}\n理由：${input.reason.trim()}`,
          data: { caseId: id, taskId: row.task_id, outcome: input.outcome },
        },
        now,
      );
    });
    return this.get(actor, id);
  }

  private async row(actor: Actor, id: string): Promise<CaseRow> {
    const rows: CaseRow[] = await this.db.query(
      `${CASE_SELECT} WHERE c.id = $3 AND ${scopeCondition('c.subject_org_path', '$1', '$2')}`,
      [...scopeParams(actor), id],
    );
    if (rows.length === 0)
      throw notFound(
        `问责案件不存在或不在你的范围内 — accountability case ${id} does not exist or is outside your scope`,
      );
    return rows[0];
  }
}

/** The case as the decision rule (libs/domain conflicts.ts) sees it. */
function partiesOf(r: CaseRow): CaseParties {
  return {
    raisingOrg: { id: r.raising_org_id, path: pathToIds(r.raising_org_path) },
    subjectOrg: { id: r.subject_org_id, path: pathToIds(r.subject_org_path) },
    subjectUserIds: r.subject_user_ids,
  };
}

function toView(r: CaseRow): CaseView {
  return {
    id: r.id,
    taskId: r.task_id,
    measure: r.measure,
    problemId: r.problem_id,
    problemTitle: r.problem_title,
    raisingOrgId: r.raising_org_id,
    subjectOrgId: r.subject_org_id,
    subjectOrgName: r.subject_org_name,
    subjectUserIds: r.subject_user_ids,
    openedAt: r.opened_at.toISOString(),
    state: r.state,
    outcome: r.outcome,
    outcomeLabel: r.outcome ? CASE_OUTCOME_LABELS[r.outcome] : null,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at?.toISOString() ?? null,
  };
}
