// 督查: labels of the campaign views (the views themselves are in ./types, generated).

import type { CampaignKind, TargetCounts } from './types';

export const CAMPAIGN_KIND_LABEL: Record<CampaignKind, string> = {
  quarterly: '季度督查',
  roving: '巡回督查',
  special: '专项督查',
  spot_check: '随机抽查',
};

export const CAMPAIGN_STATE_LABEL: Record<string, string> = { open: '进行中', closed: '已结束' };

export type {
  Campaign,
  CampaignDetail,
  CampaignKind,
  ChecklistItem,
  Finding,
  TargetCounts,
} from './types';

/** The board's columns, in order, with their Chinese headings. */
export const COUNT_COLUMNS: [keyof TargetCounts, string][] = [
  ['findings', '发现'],
  ['problems', '问题'],
  ['open', '未销号'],
  ['overdue', '逾期'],
  ['closed', '已销号'],
  ['relapsed', '反弹'],
];
