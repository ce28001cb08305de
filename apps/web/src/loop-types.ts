// Views of the five-in-one loop (承诺 · 述职评议 · 考核), as the v1 API returns them.

export type CommitmentState =
  'draft' | 'submitted' | 'returned' | 'approved' | 'published' | 'evaluated';
export type ItemResult = 'fulfilled' | 'partly' | 'not_fulfilled';
export type Grade = 'good' | 'fairly_good' | 'average' | 'poor';

export interface Commitment {
  id: string;
  orgId: string;
  orgName: string;
  userId: string | null;
  year: number;
  state: CommitmentState;
  returnComment: string | null;
  publishedAt: string | null;
  items: {
    id: string;
    title: string;
    target: string;
    dueDate: string;
    result: ItemResult | null;
    resultComment: string | null;
    /** 党员评诺: shown once the superior has evaluated. */
    memberTally: (Record<ItemResult, number> & { raters: number }) | null;
    progress: { quarter: string; content: string; reportedAt: string }[];
  }[];
  /** The items I have rated as a member (never how). */
  myRatedItemIds: string[];
}

/** A commitment item owing this quarter's progress (践诺), as the quarterly feedback lists it. */
export interface CommitmentItemDue {
  commitmentId: string;
  itemId: string;
  orgName: string;
  title: string;
  target: string;
  dueDate: string;
}

/** One line of GET /assessments. */
export interface AssessmentSummary {
  id: string;
  orgId: string;
  orgName: string;
  year: number;
  state: 'computed' | 'confirmed';
  computedAt: string;
  confirmedAt: string | null;
  rows: number;
  grades: Record<Grade, number>;
}

export interface Review {
  id: string;
  hostOrgId: string;
  year: number;
  state: 'open' | 'closed';
  voterCount: number;
  myBallots: string[];
  subjects: {
    orgId: string;
    userId: string;
    report: { text: string } | null;
    counts: Record<Grade, number> | null;
    voters: number | null;
    score: number | null;
    grade: Grade | null;
    comments: string[] | null;
  }[];
}

export interface Assessment {
  id: string;
  orgId: string;
  year: number;
  state: 'computed' | 'confirmed';
  rows: {
    orgId: string;
    orgName: string;
    indicators: { code: string; source: string; value: number | null; score: number }[];
    total: number;
    grade: Grade;
  }[];
}

export interface DrillDown {
  code: string;
  source: string;
  value: number | null;
  score: number;
  items: Record<string, unknown>[];
}

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
