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
  Page,
  PageRequest,
} from '#duban/domain';
import { NotificationsService } from '#duban/notifications';
import { pathToIds } from '#duban/persistence';
import { type CaseRow, CasesRepository } from './cases.repository';

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
    private readonly cases: CasesRepository,
  ) {}

  async list(
    actor: Actor,
    filter: { state?: 'open' | 'decided'; orgId?: string },
    page: PageRequest,
  ): Promise<Page<CaseView>> {
    const { rows, total } = await this.cases.list(this.db.manager, actor, filter, page);
    return { items: rows.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  async get(actor: Actor, id: string): Promise<CaseDetail> {
    const row = await this.row(actor, id);
    const effects = await this.cases.escalationsOf(this.db.manager, row.task_id);
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
      const decided = await this.cases.decide(m, id, {
        outcome: input.outcome,
        reason: input.reason.trim(),
        by: actor.userId,
        at: now,
      });
      if (!decided)
        throw conflict(
          `该问责案件已作出决定，决定不可更改 — accountability case ${id} has already been decided; a decision is final`,
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
    const row = await this.cases.findInScope(this.db.manager, actor, id);
    if (!row)
      throw notFound(
        `问责案件不存在或不在你的范围内 — accountability case ${id} does not exist or is outside your scope`,
      );
    return row;
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
