import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  Actor,
  CAMPAIGN_KIND_LABELS,
  CLOCK,
  type Clock,
  type CampaignKind,
  type CampaignState,
  type ChecklistItem,
  checkCampaignPlan,
  DomainError,
  drawTargets,
  forbidden,
  conflict,
  invalid,
  mayCloseCampaign,
  mayInspectFor,
  mayLaunchCampaign,
  mayRecordFinding,
  notFound,
  type OrgKind,
  type Page,
  type PageRequest,
  type ProblemSeverity,
  SOURCE_OF_CAMPAIGN_KIND,
  type TargetCounts,
  teamWithLeader,
  totalCounts,
} from '#duban/domain';
import { EvidenceService } from '#duban/evidence';
import { CategoryCatalog } from '../catalog/catalog';
import { CATEGORY_CATALOG, ProblemDetail, ProblemsService } from '../problems/problems.service';
import type { NewTask } from '../tasks/tasks.service';
import {
  CampaignRecord,
  CampaignsRepository,
  FindingRecord,
  FrozenSummary,
  OrgRecord,
  RecordedDraw,
} from './campaigns.repository';

export interface NewCampaign {
  name: string;
  kind: CampaignKind;
  raisedByOrgId: string;
  startsOn: string;
  endsOn: string;
  leaderUserId: string;
  teamUserIds: string[];
  targetOrgIds?: string[];
  targetDraw?: { withinOrgId: string; orgKind?: OrgKind; count: number; seed?: string };
  checklist?: ChecklistItem[];
}

export interface NewFinding {
  targetOrgId: string;
  checklistCode?: string;
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  attachmentIds?: string[];
  tasks?: NewTask[];
}

export interface CampaignView {
  id: string;
  name: string;
  kind: CampaignKind;
  kindLabel: string;
  state: CampaignState;
  raisedByOrgId: string;
  raisedByOrgName: string;
  startsOn: string;
  endsOn: string;
  leaderUserId: string;
  teamUserIds: string[];
  targetDraw: RecordedDraw | null;
  checklist: ChecklistItem[];
  targetCount: number;
  createdBy: string;
  createdAt: string;
  closedBy: string | null;
  closedAt: string | null;
}

export type BoardTarget = TargetCounts & { orgId: string; orgName: string };

export interface CampaignDetail extends CampaignView {
  /** The board: per target the caller may see, live while open, frozen once closed. */
  targets: BoardTarget[];
  totals: TargetCounts;
  /** When the board was frozen (the campaign's closure), or null while it is live. */
  frozenAt: string | null;
}

export interface FindingView {
  id: string;
  campaignId: string;
  targetOrgId: string;
  targetOrgName: string;
  checklistCode: string | null;
  problemId: string;
  title: string;
  category: string;
  severity: string;
  attachmentIds: string[];
  recordedBy: string;
  recordedAt: string;
}

/**
 * 督查: inspection campaigns. Orchestration only — the rules are in libs/domain/src/campaigns,
 * the SQL in CampaignsRepository, and a finding becomes a problem through ProblemsService.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CATEGORY_CATALOG) private readonly catalog: CategoryCatalog,
    private readonly campaigns: CampaignsRepository,
    private readonly problems: ProblemsService,
    private readonly evidence: EvidenceService,
    private readonly audit: AuditLog,
  ) {}

  /** 组织督查: a campaign with its team and targets (chosen, or drawn from a recorded seed). */
  async launch(actor: Actor, input: NewCampaign): Promise<CampaignDetail> {
    checkCampaignPlan(input, (code) => this.catalog.has(code));
    if ((input.targetOrgIds === undefined) === (input.targetDraw === undefined)) {
      throw invalid(
        'targetOrgIds',
        'targetOrgIds：请指定督查对象 targetOrgIds，或随机抽取 targetDraw（二者选一）',
        'targets_required',
      );
    }
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      const raising = await this.campaigns.orgInScope(m, actor, input.raisedByOrgId);
      if (!raising) {
        throw notFound(`raisedByOrgId：组织 ${input.raisedByOrgId} 不存在或不在你的管辖范围内`);
      }
      const launch = mayLaunchCampaign(actor, raising);
      if (!launch.allowed) throw forbidden(launch.reason);
      await this.assertInspectors(m, input, raising);
      const { targets, draw } = await this.resolveTargets(m, actor, input, raising);
      const now = this.clock.now();
      const record = {
        id,
        name: input.name,
        kind: input.kind,
        raisedByOrg: raising,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        leaderUserId: input.leaderUserId,
        teamUserIds: teamWithLeader(input.leaderUserId, input.teamUserIds),
        targetDraw: draw,
        checklist: (input.checklist ?? []).map(({ code, title, category }) => ({
          code,
          title,
          category,
        })),
        createdBy: actor.userId,
        createdAt: now,
      };
      await this.campaigns.insert(m, record, targets);
      await this.audit.append(m, [
        {
          streamType: 'campaign',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'launched',
          toState: 'open',
          data: { ...record, raisedByOrg: raising.id, targetOrgIds: targets.map((t) => t.id) },
        },
      ]);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<CampaignDetail> {
    const m = this.db.manager;
    const c = await this.visible(m, actor, id);
    if (c.summary) {
      const visible = new Set(
        (await this.campaigns.visibleTargets(m, actor, id)).map((t) => t.orgId),
      );
      const targets = c.summary.targets.filter((t) => visible.has(t.orgId));
      return {
        ...toView(c),
        targets,
        totals: c.seesAllTargets ? c.summary.totals : totalCounts(targets),
        frozenAt: c.summary.frozenAt,
      };
    }
    const targets = await this.campaigns.board(m, actor, id, this.clock.now());
    return { ...toView(c), targets, totals: totalCounts(targets), frozenAt: null };
  }

  async list(
    actor: Actor,
    filter: { orgId?: string; state?: CampaignState },
    page: PageRequest,
  ): Promise<Page<CampaignView>> {
    const { items, total } = await this.campaigns.list(this.db.manager, actor, filter, page);
    return { items: items.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  async findings(actor: Actor, id: string, targetOrgId?: string): Promise<FindingView[]> {
    await this.visible(this.db.manager, actor, id);
    const rows = await this.campaigns.findings(this.db.manager, actor, id, targetOrgId);
    return rows.map(toFindingView);
  }

  /**
   * 督查发现: each finding becomes a problem with its measures (the same use case as POST
   * /problems), carrying the campaign; all of them or none.
   */
  async recordFindings(
    actor: Actor,
    id: string,
    findings: NewFinding[],
    many: boolean,
  ): Promise<ProblemDetail[]> {
    const problemIds = await this.db.transaction(async (m) => {
      const c = await this.visible(m, actor, id, true);
      const may = mayRecordFinding(actor, {
        state: c.state,
        raisingOrg: c.raisedByOrg,
        leaderUserId: c.leaderUserId,
        teamUserIds: c.teamUserIds,
      });
      if (!may.allowed) throw forbidden(may.reason);
      if (c.state === 'closed') {
        throw conflict(`督查“${c.name}”已结束，不能再记录发现`, undefined, 'campaign_closed');
      }
      const targets = new Set(
        (await this.campaigns.visibleTargets(m, actor, id)).map((t) => t.orgId),
      );
      const ids: string[] = [];
      for (const [i, f] of findings.entries()) {
        const prefix = many ? `findings[${i}].` : '';
        ids.push(await withFieldPrefix(prefix, () => this.recordOne(m, actor, c, targets, f)));
      }
      return ids;
    });
    return Promise.all(problemIds.map((p) => this.problems.get(actor, p)));
  }

  /** 督查结束: freezes the board as it stands now; it is returned unchanged thereafter. */
  async close(actor: Actor, id: string): Promise<CampaignDetail> {
    await this.db.transaction(async (m) => {
      const c = await this.visible(m, actor, id, true);
      const may = mayCloseCampaign(actor, {
        state: c.state,
        raisingOrg: c.raisedByOrg,
        leaderUserId: c.leaderUserId,
        teamUserIds: c.teamUserIds,
      });
      if (!may.allowed) throw forbidden(may.reason);
      if (c.state === 'closed') {
        throw conflict(`督查“${c.name}”已经结束，汇总已冻结`, undefined, 'campaign_closed');
      }
      if (!c.seesAllTargets) throw forbidden('无权结束督查：你看不到本次督查的全部对象');
      const now = this.clock.now();
      const targets = await this.campaigns.board(m, actor, id, now);
      const summary: FrozenSummary = {
        frozenAt: now.toISOString(),
        targets,
        totals: totalCounts(targets),
      };
      if (!(await this.campaigns.close(m, id, summary, actor.userId, now))) {
        throw conflict(`督查“${c.name}”已经结束，汇总已冻结`, undefined, 'campaign_closed');
      }
      await this.audit.append(m, [
        {
          streamType: 'campaign',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'closed',
          fromState: 'open',
          toState: 'closed',
          data: { summary },
        },
      ]);
    });
    return this.get(actor, id);
  }

  private async recordOne(
    m: EntityManager,
    actor: Actor,
    c: CampaignRecord,
    targets: ReadonlySet<string>,
    f: NewFinding,
  ): Promise<string> {
    if (!targets.has(f.targetOrgId)) {
      throw invalid(
        'targetOrgId',
        `targetOrgId：${f.targetOrgId} 不是本次督查的对象`,
        'not_a_target',
      );
    }
    if (f.checklistCode !== undefined && !c.checklist.some((i) => i.code === f.checklistCode)) {
      throw invalid(
        'checklistCode',
        `checklistCode：本次督查清单中没有 ${f.checklistCode}（可选：${c.checklist.map((i) => i.code).join('、') || '无'}）`,
        'unknown_checklist_code',
      );
    }
    const attachmentIds = [...new Set(f.attachmentIds ?? [])];
    await this.evidence.assertUsable(m, actor.userId, attachmentIds);
    const raised = await this.problems.raiseWithin(m, actor, {
      title: f.title,
      description: f.description,
      category: f.category,
      severity: f.severity,
      source: SOURCE_OF_CAMPAIGN_KIND[c.kind],
      orgId: f.targetOrgId,
      raisedByOrgId: c.raisedByOrg.id,
      campaign: c.name,
      campaignId: c.id,
      tasks: f.tasks,
    });
    const now = this.clock.now();
    const findingId = randomUUID();
    await this.campaigns.insertFinding(m, {
      id: findingId,
      campaignId: c.id,
      targetOrgId: f.targetOrgId,
      checklistCode: f.checklistCode ?? null,
      problemId: raised.id,
      attachmentIds,
      recordedBy: actor.userId,
      recordedAt: now,
    });
    await this.audit.append(m, [
      {
        streamType: 'campaign',
        streamId: c.id,
        at: now,
        actorId: actor.userId,
        type: 'finding_recorded',
        data: {
          findingId,
          targetOrgId: f.targetOrgId,
          checklistCode: f.checklistCode ?? null,
          problemId: raised.id,
          taskIds: raised.taskIds,
          attachmentIds,
        },
      },
    ]);
    return raised.id;
  }

  private async visible(
    m: EntityManager,
    actor: Actor,
    id: string,
    forUpdate = false,
  ): Promise<CampaignRecord> {
    const c = await this.campaigns.findVisible(m, actor, id, { forUpdate });
    if (!c) throw notFound(`督查 ${id} 不存在或不在你的管辖范围内`);
    return c;
  }

  /** The team and its leader: supervisors (督查员) of the raising org or an org above it. */
  private async assertInspectors(
    m: EntityManager,
    input: NewCampaign,
    raising: OrgRecord,
  ): Promise<void> {
    const grants = await this.campaigns.supervisorGrants(m, [
      input.leaderUserId,
      ...input.teamUserIds,
    ]);
    const check = (userId: string, field: string) => {
      if (!mayInspectFor(grants.get(userId) ?? [], raising)) {
        throw invalid(
          field,
          `${field}：用户 ${userId} 不是发起组织（${raising.name}）或其上级组织的督查员，不能参加督查组`,
          'not_a_supervisor',
        );
      }
    };
    check(input.leaderUserId, 'leaderUserId');
    input.teamUserIds.forEach((u, i) => check(u, `teamUserIds[${i}]`));
  }

  private async resolveTargets(
    m: EntityManager,
    actor: Actor,
    input: NewCampaign,
    raising: OrgRecord,
  ): Promise<{ targets: OrgRecord[]; draw: RecordedDraw | null }> {
    if (input.targetOrgIds) {
      const ids = input.targetOrgIds;
      if (ids.length === 0) {
        throw invalid('targetOrgIds', 'targetOrgIds：至少指定一个督查对象', 'targets_required');
      }
      const found = new Map(
        (await this.campaigns.orgsStrictlyBelow(m, ids, raising.pathText)).map((o) => [o.id, o]),
      );
      const seen = new Set<string>();
      const targets = ids.map((orgId, i) => {
        const org = found.get(orgId);
        if (!org) {
          throw invalid(
            `targetOrgIds[${i}]`,
            `targetOrgIds[${i}]：组织 ${orgId} 不存在或不在发起组织（${raising.name}）的下级范围内`,
            'not_in_subtree',
          );
        }
        if (seen.has(orgId)) {
          throw invalid(
            `targetOrgIds[${i}]`,
            `targetOrgIds[${i}]：组织 ${orgId} 重复`,
            'duplicate',
          );
        }
        seen.add(orgId);
        return org;
      });
      return { targets, draw: null };
    }
    const spec = input.targetDraw!;
    const within = await this.campaigns.orgInScope(m, actor, spec.withinOrgId);
    if (!within || !within.path.includes(raising.id)) {
      throw invalid(
        'targetDraw.withinOrgId',
        `targetDraw.withinOrgId：组织 ${spec.withinOrgId} 不存在或不在发起组织（${raising.name}）的范围内`,
        'not_in_subtree',
      );
    }
    const orgKind = spec.orgKind ?? null;
    const population = await this.campaigns.drawPopulation(m, within.pathText, orgKind);
    const seed = spec.seed ?? randomBytes(12).toString('hex');
    const drawn = drawTargets(population, spec.count, seed);
    const byId = new Map(
      (await this.campaigns.orgsStrictlyBelow(m, drawn.drawn, raising.pathText)).map((o) => [
        o.id,
        o,
      ]),
    );
    return {
      targets: drawn.drawn.map((orgId) => byId.get(orgId)!),
      draw: {
        withinOrgId: within.id,
        orgKind,
        count: drawn.count,
        seed: drawn.seed,
        algorithm: drawn.algorithm,
        population: [...drawn.population],
      },
    };
  }
}

/** Re-names the field of a refusal raised for one of many findings (`findings[2].category`). */
async function withFieldPrefix<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!prefix || !(e instanceof DomainError) || e.kind !== 'invalid' || !e.field) throw e;
    const field = `${prefix}${e.field}`;
    const message = e.message.startsWith(e.field)
      ? `${prefix}${e.message}`
      : `${field}：${e.message}`;
    throw new DomainError(e.kind, message, field, undefined, e.code);
  }
}

function toView(c: CampaignRecord): CampaignView {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    kindLabel: CAMPAIGN_KIND_LABELS[c.kind],
    state: c.state,
    raisedByOrgId: c.raisedByOrg.id,
    raisedByOrgName: c.raisedByOrgName,
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    leaderUserId: c.leaderUserId,
    teamUserIds: c.teamUserIds,
    targetDraw: c.targetDraw,
    checklist: c.checklist,
    targetCount: c.targetCount,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    closedBy: c.closedBy,
    closedAt: c.closedAt?.toISOString() ?? null,
  };
}

function toFindingView(f: FindingRecord): FindingView {
  return { ...f, recordedAt: f.recordedAt.toISOString() };
}
