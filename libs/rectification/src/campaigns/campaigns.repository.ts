import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type CampaignKind,
  type CampaignState,
  type ChecklistItem,
  offsetOf,
  type OrgKind,
  type OrgRef,
  type PageRequest,
  type TargetCounts,
} from '#duban/domain';
import {
  pathToIds,
  returning,
  scopeCondition,
  scopeParams,
  type ScopeOwner,
} from '#duban/persistence';

/** A draw as recorded with its campaign: enough for anyone to redraw the same targets. */
export interface RecordedDraw {
  withinOrgId: string;
  orgKind: OrgKind | null;
  count: number;
  seed: string;
  algorithm: string;
  /** Every org the targets were drawn from, sorted by id. */
  population: string[];
}

export interface FrozenSummary {
  frozenAt: string;
  targets: (TargetCounts & { orgId: string; orgName: string })[];
  totals: TargetCounts;
}

export interface CampaignRecord {
  id: string;
  name: string;
  kind: CampaignKind;
  raisedByOrg: OrgRef;
  raisedByOrgName: string;
  startsOn: string;
  endsOn: string;
  leaderUserId: string;
  teamUserIds: string[];
  targetDraw: RecordedDraw | null;
  checklist: ChecklistItem[];
  state: CampaignState;
  summary: FrozenSummary | null;
  createdBy: string;
  createdAt: Date;
  closedBy: string | null;
  closedAt: Date | null;
  targetCount: number;
  /** Whether the caller sees every target (raising org in scope, or on the team). */
  seesAllTargets: boolean;
}

export interface OrgRecord extends OrgRef {
  name: string;
  kind: OrgKind;
  pathText: string;
}

export interface TargetRecord {
  orgId: string;
  orgName: string;
}

export interface FindingRecord {
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
  recordedAt: Date;
}

interface CampaignRow {
  id: string;
  name: string;
  kind: CampaignKind;
  raised_by_org_id: string;
  raised_by_org_path: string;
  raised_by_org_name: string;
  starts_on: string;
  ends_on: string;
  leader_user_id: string;
  team_user_ids: string[];
  target_draw: RecordedDraw | null;
  checklist: ChecklistItem[];
  state: CampaignState;
  summary: FrozenSummary | null;
  created_by: string;
  created_at: Date;
  closed_by: string | null;
  closed_at: Date | null;
  target_count: number;
  sees_all: boolean;
}

/**
 * Who sees a campaign, in SQL ($1 role paths, $2 admin flag, $3 the caller's id): whoever sees
 * the raising org, its inspection team, and whoever sees one of its targets (who then sees only
 * those targets and their findings).
 */
const SEES_ALL = `(${scopeCondition('c.raised_by_org_path', '$1', '$2')} OR $3::uuid = ANY(c.team_user_ids))`;
const SEES_TARGET = (alias: string) =>
  `(${SEES_ALL} OR ${scopeCondition(`${alias}.org_path`, '$1', '$2')})`;
const VISIBLE = `(${SEES_ALL} OR EXISTS (SELECT 1 FROM campaign_targets vt
  WHERE vt.campaign_id = c.id AND ${scopeCondition('vt.org_path', '$1', '$2')}))`;

const CAMPAIGN_SELECT = `SELECT c.id, c.name, c.kind, c.raised_by_org_id,
    c.raised_by_org_path::text AS raised_by_org_path, ro.name AS raised_by_org_name,
    c.starts_on::text AS starts_on, c.ends_on::text AS ends_on, c.leader_user_id, c.team_user_ids,
    c.target_draw, c.checklist, c.state, c.summary, c.created_by, c.created_at, c.closed_by,
    c.closed_at, (SELECT count(*)::int FROM campaign_targets ct WHERE ct.campaign_id = c.id) AS target_count,
    ${SEES_ALL} AS sees_all
  FROM campaigns c JOIN orgs ro ON ro.id = c.raised_by_org_id`;

const scope = (owner: ScopeOwner): unknown[] => [...scopeParams(owner), owner.userId];

/** Every SQL statement of campaigns, their targets and findings; the only writer of their tables. */
@Injectable()
export class CampaignsRepository {
  /** An org the caller can see (their subtree), or null. */
  async orgInScope(m: EntityManager, owner: ScopeOwner, orgId: string): Promise<OrgRecord | null> {
    const rows: { id: string; name: string; kind: OrgKind; path: string }[] = await m.query(
      `SELECT o.id, o.name, o.kind, o.path::text AS path FROM orgs o
        WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [orgId, ...scopeParams(owner)],
    );
    return rows[0] ? toOrg(rows[0]) : null;
  }

  /** The orgs among `ids` that lie strictly below `ancestorPath`. */
  async orgsStrictlyBelow(
    m: EntityManager,
    ids: readonly string[],
    ancestorPath: string,
  ): Promise<OrgRecord[]> {
    const rows: { id: string; name: string; kind: OrgKind; path: string }[] = await m.query(
      `SELECT o.id, o.name, o.kind, o.path::text AS path FROM orgs o
        WHERE o.id = ANY($1::uuid[]) AND o.path <@ $2::ltree AND o.path <> $2::ltree`,
      [ids, ancestorPath],
    );
    return rows.map(toOrg);
  }

  /** The population of a draw: orgs strictly below `withinPath`, of `kind` if given. */
  async drawPopulation(
    m: EntityManager,
    withinPath: string,
    kind: OrgKind | null,
  ): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT o.id FROM orgs o
        WHERE o.path <@ $1::ltree AND o.path <> $1::ltree AND ($2::text IS NULL OR o.kind = $2)
        ORDER BY o.id`,
      [withinPath, kind],
    );
    return rows.map((r) => r.id);
  }

  /** Where each of `userIds` holds the supervisor role (督查员), by user; inactive users hold none. */
  async supervisorGrants(
    m: EntityManager,
    userIds: readonly string[],
  ): Promise<Map<string, { org: OrgRef }[]>> {
    const rows: { user_id: string; org_id: string; path: string }[] = await m.query(
      `SELECT ra.user_id, o.id AS org_id, o.path::text AS path
         FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id JOIN users u ON u.id = ra.user_id
        WHERE ra.user_id = ANY($1::uuid[]) AND ra.role = 'supervisor' AND u.active
          AND ra.revoked_at IS NULL`,
      [userIds],
    );
    const byUser = new Map<string, { org: OrgRef }[]>();
    for (const r of rows) {
      const list = byUser.get(r.user_id) ?? [];
      list.push({ org: { id: r.org_id, path: pathToIds(r.path) } });
      byUser.set(r.user_id, list);
    }
    return byUser;
  }

  async insert(
    m: EntityManager,
    c: {
      id: string;
      name: string;
      kind: CampaignKind;
      raisedByOrg: OrgRecord;
      startsOn: string;
      endsOn: string;
      leaderUserId: string;
      teamUserIds: string[];
      targetDraw: RecordedDraw | null;
      checklist: ChecklistItem[];
      createdBy: string;
      createdAt: Date;
    },
    targets: readonly OrgRecord[],
  ): Promise<void> {
    await m.query(
      `INSERT INTO campaigns (id, name, kind, raised_by_org_id, raised_by_org_path, starts_on, ends_on,
          leader_user_id, team_user_ids, target_draw, checklist, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5::ltree, $6, $7, $8, $9::uuid[], $10::jsonb, $11::jsonb, $12, $13)`,
      [
        c.id,
        c.name,
        c.kind,
        c.raisedByOrg.id,
        c.raisedByOrg.pathText,
        c.startsOn,
        c.endsOn,
        c.leaderUserId,
        c.teamUserIds,
        c.targetDraw === null ? null : JSON.stringify(c.targetDraw),
        JSON.stringify(c.checklist),
        c.createdBy,
        c.createdAt,
      ],
    );
    await m.query(
      `INSERT INTO campaign_targets (campaign_id, org_id, org_path, position)
       SELECT $1, t.id, o.path, t.position
         FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, position) JOIN orgs o ON o.id = t.id`,
      [c.id, targets.map((t) => t.id)],
    );
  }

  /** A campaign the caller may see, or null; `forUpdate` locks it for the transaction. */
  async findVisible(
    m: EntityManager,
    owner: ScopeOwner,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<CampaignRecord | null> {
    const rows: CampaignRow[] = await m.query(
      `${CAMPAIGN_SELECT} WHERE c.id = $4 AND ${VISIBLE}${options.forUpdate ? ' FOR UPDATE OF c' : ''}`,
      [...scope(owner), id],
    );
    return rows[0] ? toCampaign(rows[0]) : null;
  }

  async list(
    m: EntityManager,
    owner: ScopeOwner,
    filter: { orgId?: string; state?: CampaignState },
    page: PageRequest,
  ): Promise<{ items: CampaignRecord[]; total: number }> {
    const params = scope(owner);
    const where = [VISIBLE];
    if (filter.orgId) {
      params.push(filter.orgId);
      const p = `$${params.length}`;
      where.push(`(c.raised_by_org_path <@ (SELECT path FROM orgs WHERE id = ${p})
        OR EXISTS (SELECT 1 FROM campaign_targets ft WHERE ft.campaign_id = c.id
          AND ft.org_path <@ (SELECT path FROM orgs WHERE id = ${p})))`);
    }
    if (filter.state) {
      params.push(filter.state);
      where.push(`c.state = $${params.length}`);
    }
    const sql = where.join(' AND ');
    const rows: CampaignRow[] = await m.query(
      `${CAMPAIGN_SELECT} WHERE ${sql} ORDER BY c.state = 'closed', c.starts_on DESC, c.created_at DESC, c.id
        LIMIT ${page.pageSize} OFFSET ${offsetOf(page)}`,
      params,
    );
    const count: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM campaigns c WHERE ${sql}`,
      params,
    );
    return { items: rows.map(toCampaign), total: count[0].n };
  }

  /** The campaign's targets the caller may see, in the order they were chosen or drawn. */
  async visibleTargets(
    m: EntityManager,
    owner: ScopeOwner,
    campaignId: string,
  ): Promise<TargetRecord[]> {
    const rows: { org_id: string; org_name: string }[] = await m.query(
      `SELECT ct.org_id, o.name AS org_name
         FROM campaign_targets ct JOIN campaigns c ON c.id = ct.campaign_id JOIN orgs o ON o.id = ct.org_id
        WHERE ct.campaign_id = $4 AND ${SEES_TARGET('ct')}
        ORDER BY ct.position`,
      [...scope(owner), campaignId],
    );
    return rows.map((r) => ({ orgId: r.org_id, orgName: r.org_name }));
  }

  /**
   * The live board of the targets the caller may see: per target, its findings, the problems
   * they became, and those problems' measures open / overdue at `now` / closed / relapsed
   * (reopened after closure: 回头看 found it had come back).
   */
  async board(
    m: EntityManager,
    owner: ScopeOwner,
    campaignId: string,
    now: Date,
  ): Promise<(TargetCounts & TargetRecord)[]> {
    const rows: (TargetCounts & { org_id: string; org_name: string })[] = await m.query(
      `SELECT ct.org_id, o.name AS org_name,
          (SELECT count(*)::int FROM campaign_findings f
            WHERE f.campaign_id = ct.campaign_id AND f.target_org_id = ct.org_id) AS findings,
          (SELECT count(*)::int FROM problems p
            WHERE p.campaign_id = ct.campaign_id AND p.org_id = ct.org_id) AS problems,
          coalesce(tc.open, 0) AS open, coalesce(tc.overdue, 0) AS overdue,
          coalesce(tc.closed, 0) AS closed, coalesce(tc.relapsed, 0) AS relapsed
         FROM campaign_targets ct JOIN campaigns c ON c.id = ct.campaign_id JOIN orgs o ON o.id = ct.org_id
         LEFT JOIN LATERAL (
           SELECT count(*) FILTER (WHERE t.state <> 'closed')::int AS open,
                  count(*) FILTER (WHERE t.state NOT IN ('verified', 'closed') AND t.due_at < $5)::int AS overdue,
                  count(*) FILTER (WHERE t.state = 'closed')::int AS closed,
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM audit_events e
                    WHERE e.stream_id = t.id AND e.stream_type = 'task' AND e.type = 'reopened'))::int AS relapsed
             FROM problems p JOIN tasks t ON t.problem_id = p.id
            WHERE p.campaign_id = ct.campaign_id AND p.org_id = ct.org_id) tc ON true
        WHERE ct.campaign_id = $4 AND ${SEES_TARGET('ct')}
        ORDER BY ct.position`,
      [...scope(owner), campaignId, now],
    );
    return rows.map((r) => ({
      orgId: r.org_id,
      orgName: r.org_name,
      findings: r.findings,
      problems: r.problems,
      open: r.open,
      overdue: r.overdue,
      closed: r.closed,
      relapsed: r.relapsed,
    }));
  }

  async insertFinding(
    m: EntityManager,
    f: {
      id: string;
      campaignId: string;
      targetOrgId: string;
      checklistCode: string | null;
      problemId: string;
      attachmentIds: string[];
      recordedBy: string;
      recordedAt: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO campaign_findings (id, campaign_id, target_org_id, checklist_code, problem_id,
          attachment_ids, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8)`,
      [
        f.id,
        f.campaignId,
        f.targetOrgId,
        f.checklistCode,
        f.problemId,
        f.attachmentIds,
        f.recordedBy,
        f.recordedAt,
      ],
    );
  }

  /** Findings of the targets the caller may see (a target sees its own), newest first. */
  async findings(
    m: EntityManager,
    owner: ScopeOwner,
    campaignId: string,
    targetOrgId?: string,
  ): Promise<FindingRecord[]> {
    const rows: {
      id: string;
      campaign_id: string;
      target_org_id: string;
      target_org_name: string;
      checklist_code: string | null;
      problem_id: string;
      title: string;
      category: string;
      severity: string;
      attachment_ids: string[];
      recorded_by: string;
      recorded_at: Date;
    }[] = await m.query(
      `SELECT f.*, o.name AS target_org_name, p.title, p.category, p.severity
         FROM campaign_findings f JOIN campaigns c ON c.id = f.campaign_id
         JOIN campaign_targets ct ON ct.campaign_id = f.campaign_id AND ct.org_id = f.target_org_id
         JOIN orgs o ON o.id = f.target_org_id JOIN problems p ON p.id = f.problem_id
        WHERE f.campaign_id = $4 AND ($5::uuid IS NULL OR f.target_org_id = $5) AND ${SEES_TARGET('ct')}
        ORDER BY f.recorded_at DESC, f.id`,
      [...scope(owner), campaignId, targetOrgId ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      campaignId: r.campaign_id,
      targetOrgId: r.target_org_id,
      targetOrgName: r.target_org_name,
      checklistCode: r.checklist_code,
      problemId: r.problem_id,
      title: r.title,
      category: r.category,
      severity: r.severity,
      attachmentIds: r.attachment_ids,
      recordedBy: r.recorded_by,
      recordedAt: r.recorded_at,
    }));
  }

  /** 督查结束: stores the frozen summary; false when the campaign was already closed. */
  async close(
    m: EntityManager,
    id: string,
    summary: FrozenSummary,
    closedBy: string,
    closedAt: Date,
  ): Promise<boolean> {
    const rows = await returning(
      m,
      `UPDATE campaigns SET state = 'closed', summary = $2::jsonb, closed_by = $3, closed_at = $4
        WHERE id = $1 AND state = 'open' RETURNING id`,
      [id, JSON.stringify(summary), closedBy, closedAt],
    );
    return rows.length === 1;
  }
}

function toOrg(r: { id: string; name: string; kind: OrgKind; path: string }): OrgRecord {
  return { id: r.id, name: r.name, kind: r.kind, path: pathToIds(r.path), pathText: r.path };
}

function toCampaign(r: CampaignRow): CampaignRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    raisedByOrg: { id: r.raised_by_org_id, path: pathToIds(r.raised_by_org_path) },
    raisedByOrgName: r.raised_by_org_name,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    leaderUserId: r.leader_user_id,
    teamUserIds: r.team_user_ids,
    targetDraw: r.target_draw,
    checklist: r.checklist,
    state: r.state,
    summary: r.summary,
    createdBy: r.created_by,
    createdAt: r.created_at,
    closedBy: r.closed_by,
    closedAt: r.closed_at,
    targetCount: r.target_count,
    seesAllTargets: r.sees_all,
  };
}
