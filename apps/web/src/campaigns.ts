// 督查: the campaign views as GET /api/v1/campaigns returns them.

export type CampaignKind = 'quarterly' | 'roving' | 'special' | 'spot_check';

export const CAMPAIGN_KIND_LABEL: Record<CampaignKind, string> = {
  quarterly: '季度督查',
  roving: '巡回督查',
  special: '专项督查',
  spot_check: '随机抽查',
};

export const CAMPAIGN_STATE_LABEL: Record<string, string> = { open: '进行中', closed: '已结束' };

export interface ChecklistItem {
  code: string;
  title: string;
  category: string;
}

export interface TargetCounts {
  findings: number;
  problems: number;
  open: number;
  overdue: number;
  closed: number;
  relapsed: number;
}

export interface Campaign {
  id: string;
  name: string;
  kind: CampaignKind;
  kindLabel: string;
  state: 'open' | 'closed';
  raisedByOrgId: string;
  raisedByOrgName: string;
  startsOn: string;
  endsOn: string;
  leaderUserId: string;
  teamUserIds: string[];
  targetDraw: {
    withinOrgId: string;
    orgKind: string | null;
    count: number;
    seed: string;
    algorithm: string;
    population: string[];
  } | null;
  checklist: ChecklistItem[];
  targetCount: number;
  createdAt: string;
  closedAt: string | null;
}

export interface CampaignDetail extends Campaign {
  targets: (TargetCounts & { orgId: string; orgName: string })[];
  totals: TargetCounts;
  frozenAt: string | null;
}

export interface Finding {
  id: string;
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

/** The board's columns, in order, with their Chinese headings. */
export const COUNT_COLUMNS: [keyof TargetCounts, string][] = [
  ['findings', '发现'],
  ['problems', '问题'],
  ['open', '未销号'],
  ['overdue', '逾期'],
  ['closed', '已销号'],
  ['relapsed', '反弹'],
];
