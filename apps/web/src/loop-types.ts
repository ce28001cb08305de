// Labels of the five-in-one loop (承诺 · 述职评议 · 考核); the views are in ./types (generated).
import type { CommitmentState, Grade, ItemResult } from './types';

export type {
  Assessment,
  Commitment,
  CommitmentState,
  DrillDown,
  Grade,
  ItemResult,
  Review,
} from './types';

export const COMMITMENT_STATE_LABEL: Record<CommitmentState, string> = {
  draft: '草稿（订诺）',
  submitted: '待审核（审诺）',
  returned: '已退回',
  approved: '已审核',
  published: '已公示（亮诺）',
  evaluated: '已评诺',
};

export const RESULT_LABEL: Record<ItemResult, string> = {
  fulfilled: '已兑现',
  partly: '部分兑现',
  not_fulfilled: '未兑现',
};

export const GRADE_LABEL: Record<Grade, string> = {
  good: '好',
  fairly_good: '较好',
  average: '一般',
  poor: '差',
};

export const SOURCE_LABEL: Record<string, string> = {
  on_time_rate: '按期整改率',
  overdue_days: '超期天数',
  relapses: '回头看反弹',
  accountability_cases: '问责案件',
  commitments: '承诺兑现',
  review: '述职评议',
  manual: '人工评分',
};
