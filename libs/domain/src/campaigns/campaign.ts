import { holdsRoleOver } from '../access/org-access';
import { Actor, ALLOW, Decision, deny, OrgRef } from '../access/roles';
import { isLocalDate } from '../calendar/local-date';
import { invalid } from '../kernel/errors';
import { holdsRoleIn, SUPERVISING_ROLES } from '../lifecycle/permissions';

/** 督查: 季度督查, 巡回督查, 专项督查, 随机抽查 (四不两直). */
export const CAMPAIGN_KINDS = ['quarterly', 'roving', 'special', 'spot_check'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

export const CAMPAIGN_KIND_LABELS: Record<CampaignKind, string> = {
  quarterly: '季度督查',
  roving: '巡回督查',
  special: '专项督查',
  spot_check: '随机抽查',
};

export const CAMPAIGN_STATES = ['open', 'closed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/**
 * The problem source (来源) a finding of a campaign carries: each kind of campaign is one of the
 * sources a problem may come from, so a finding is never asked where it came from.
 */
export const SOURCE_OF_CAMPAIGN_KIND = {
  quarterly: 'quarterly_check',
  roving: 'roving_check',
  special: 'special_supervision',
  spot_check: 'spot_check',
} as const satisfies Record<CampaignKind, string>;

/** A checklist item (督查清单): what the team looks at, tied to a problem category. */
export interface ChecklistItem {
  readonly code: string;
  readonly title: string;
  readonly category: string;
}

/**
 * The period and checklist of a new campaign, checked as a whole: dates in order, checklist
 * codes unique, every category known. Throws `invalid` naming the first bad field.
 */
export function checkCampaignPlan(
  input: { startsOn: string; endsOn: string; checklist?: readonly ChecklistItem[] },
  isCategory: (code: string) => boolean,
): void {
  if (!isLocalDate(input.startsOn)) {
    throw invalid('startsOn', 'startsOn：应为有效日期 YYYY-MM-DD');
  }
  if (!isLocalDate(input.endsOn)) {
    throw invalid('endsOn', 'endsOn：应为有效日期 YYYY-MM-DD');
  }
  if (input.endsOn < input.startsOn) {
    throw invalid('endsOn', 'endsOn：结束日期不能早于开始日期 startsOn', 'invalid_period');
  }
  const seen = new Set<string>();
  for (const [i, item] of (input.checklist ?? []).entries()) {
    if (seen.has(item.code)) {
      throw invalid(
        `checklist[${i}].code`,
        `checklist[${i}].code：清单编号 ${item.code} 重复`,
        'duplicate',
      );
    }
    seen.add(item.code);
    if (!isCategory(item.category)) {
      throw invalid(
        `checklist[${i}].category`,
        `checklist[${i}].category：问题分类 ${item.category} 不存在`,
        'unknown_category',
      );
    }
  }
}

/** Launching a campaign (组织督查): a secretary, deputy or supervisor of the raising org. */
export function mayLaunchCampaign(actor: Actor, raisingOrg: OrgRef): Decision {
  return holdsRoleIn(actor, raisingOrg, SUPERVISING_ROLES)
    ? ALLOW
    : deny('无权组织督查：需要在发起组织担任书记、副书记或督查员');
}

/**
 * Who may sit on an inspection team: someone holding the supervisor role (督查员) in the
 * raising org or an org above it. `grants` are the candidate's supervisor grants.
 */
export function mayInspectFor(grants: readonly { org: OrgRef }[], raisingOrg: OrgRef): boolean {
  return grants.some((g) => raisingOrg.path.includes(g.org.id));
}

/** Team and leader as stored: the leader always belongs to the team, each person once. */
export function teamWithLeader(leaderUserId: string, teamUserIds: readonly string[]): string[] {
  return [...new Set([leaderUserId, ...teamUserIds])];
}

export interface CampaignRef {
  readonly state: CampaignState;
  readonly raisingOrg: OrgRef;
  readonly leaderUserId: string;
  readonly teamUserIds: readonly string[];
}

/** Recording a finding (督查发现): a member of the inspection team, while the campaign is open. */
export function mayRecordFinding(actor: Actor, campaign: CampaignRef): Decision {
  if (!campaign.teamUserIds.includes(actor.userId) && campaign.leaderUserId !== actor.userId) {
    return deny('无权记录督查发现：只有本次督查的督查组成员可以记录');
  }
  return ALLOW;
}

/**
 * Closing a campaign (督查结束) freezes its board: the team leader, or a secretary, deputy or
 * supervisor of the raising org or above it.
 */
export function mayCloseCampaign(actor: Actor, campaign: CampaignRef): Decision {
  if (
    actor.userId === campaign.leaderUserId ||
    holdsRoleOver(actor, campaign.raisingOrg, SUPERVISING_ROLES)
  ) {
    return ALLOW;
  }
  return deny('无权结束督查：需要是督查组组长，或发起组织（及其上级）的书记、副书记、督查员');
}

/** Per target of the board: findings recorded, problems raised, measures by how they stand. */
export interface TargetCounts {
  findings: number;
  problems: number;
  open: number;
  overdue: number;
  closed: number;
  relapsed: number;
}

export const ZERO_COUNTS: TargetCounts = {
  findings: 0,
  problems: 0,
  open: 0,
  overdue: 0,
  closed: 0,
  relapsed: 0,
};

/** The whole campaign's counts: the sum over its targets. */
export function totalCounts(targets: readonly TargetCounts[]): TargetCounts {
  return targets.reduce<TargetCounts>(
    (sum, t) => ({
      findings: sum.findings + t.findings,
      problems: sum.problems + t.problems,
      open: sum.open + t.open,
      overdue: sum.overdue + t.overdue,
      closed: sum.closed + t.closed,
      relapsed: sum.relapsed + t.relapsed,
    }),
    { ...ZERO_COUNTS },
  );
}
