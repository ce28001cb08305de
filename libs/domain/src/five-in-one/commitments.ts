import { holdsRoleOver } from '../access/org-access';
import type { Actor, OrgRef } from '../access/roles';
import { conflict, forbidden, invalid } from '../kernel/errors';

/**
 * 承诺: 订诺 (draft) → 审诺 (submitted, then approved or returned with comments) → 亮诺
 * (published to the org's members) → 践诺 (progress on published items) → 评诺 (evaluated at
 * year end).
 */
export const COMMITMENT_STATES = [
  'draft',
  'submitted',
  'returned',
  'approved',
  'published',
  'evaluated',
] as const;
export type CommitmentState = (typeof COMMITMENT_STATES)[number];

export const COMMITMENT_ACTIONS = ['submit', 'approve', 'return', 'publish', 'evaluate'] as const;
export type CommitmentAction = (typeof COMMITMENT_ACTIONS)[number];

const EDGES: Record<CommitmentAction, { from: readonly CommitmentState[]; to: CommitmentState }> = {
  submit: { from: ['draft', 'returned'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  return: { from: ['submitted'], to: 'returned' },
  publish: { from: ['approved'], to: 'published' },
  evaluate: { from: ['published'], to: 'evaluated' },
};

export const COMMITMENT_RESULTS = ['fulfilled', 'partly', 'not_fulfilled'] as const;
export type CommitmentResult = (typeof COMMITMENT_RESULTS)[number];

/** The state a commitment moves to, or a 409 naming the states the action needs. */
export function commitmentTransition(
  state: CommitmentState,
  action: CommitmentAction,
): CommitmentState {
  const edge = EDGES[action];
  if (!edge.from.includes(state)) {
    throw conflict(
      `承诺当前状态为 ${state}，不能执行 ${action}（需要处于 ${edge.from.join(' / ')}）`,
      'state',
      'invalid_commitment_state',
    );
  }
  return edge.to;
}

/** Progress (践诺) is reported only on published commitments. */
export function assertMayReportProgress(state: CommitmentState): void {
  if (state !== 'published') {
    throw conflict(
      `只能对已公示（published）的承诺报告进展，当前状态为 ${state}`,
      'state',
      'invalid_commitment_state',
    );
  }
}

/** Who files (订诺) and submits: the org's own secretary, deputy or admin. */
export function assertMayFile(actor: Actor, org: OrgRef): void {
  const own = actor.grants.some(
    (g) => g.org.id === org.id && ['secretary', 'deputy', 'admin'].includes(g.role),
  );
  if (!own && !actor.systemAdmin) {
    throw forbidden('无权订诺：需要本组织的书记、副书记或管理员角色', 'not_commitment_owner');
  }
}

/** Who reviews (审诺), publishes and evaluates: the superior — a role strictly above the org. */
export function assertMayReview(actor: Actor, org: OrgRef): void {
  if (
    !actor.systemAdmin &&
    !holdsRoleOver(actor, org, ['secretary', 'deputy', 'supervisor', 'admin'], {
      strictlyAbove: true,
    })
  ) {
    throw forbidden('无权审诺：需要上级组织的书记、副书记、督查员或管理员角色', 'not_superior');
  }
}

export interface CommitmentItemInput {
  title?: unknown;
  target?: unknown;
  dueDate?: unknown;
}

/** A commitment needs at least one item, each with a title, a measurable target and a date in its year. */
export function validateCommitmentItems(year: number, items: readonly CommitmentItemInput[]): void {
  if (items.length === 0) throw invalid('items', 'items：至少需要一项承诺事项', 'required');
  items.forEach((item, i) => {
    if (typeof item.title !== 'string' || !item.title.trim())
      throw invalid(`items[${i}].title`, `items[${i}].title：承诺事项需要标题`, 'required');
    if (typeof item.target !== 'string' || !item.target.trim())
      throw invalid(`items[${i}].target`, `items[${i}].target：需要可衡量的目标`, 'required');
    if (typeof item.dueDate !== 'string' || !item.dueDate.startsWith(`${year}-`))
      throw invalid(
        `items[${i}].dueDate`,
        `items[${i}].dueDate：完成日期须在 ${year} 年内（YYYY-MM-DD）`,
        'out_of_year',
      );
  });
}

/** Each rating names an item of the commitment, once, with a known result; returns the items rated. */
function checkRatings(
  itemIds: readonly string[],
  ratings: readonly { itemId: string; result: string }[],
): Set<string> {
  const seen = new Set<string>();
  ratings.forEach((r, i) => {
    if (!itemIds.includes(r.itemId))
      throw invalid(`items[${i}].itemId`, `items[${i}].itemId：不是该承诺的事项`, 'unknown_item');
    if (seen.has(r.itemId))
      throw invalid(`items[${i}].itemId`, `items[${i}].itemId：同一事项只能评价一次`, 'duplicate');
    seen.add(r.itemId);
    if (!(COMMITMENT_RESULTS as readonly string[]).includes(r.result))
      throw invalid(
        `items[${i}].result`,
        `items[${i}].result 必须是 ${COMMITMENT_RESULTS.join(' | ')}`,
        'invalid_enum',
      );
  });
  return seen;
}

/** 评诺: every item rated exactly once, with a known result. */
export function validateEvaluation(
  itemIds: readonly string[],
  ratings: readonly { itemId: string; result: string }[],
): void {
  const seen = checkRatings(itemIds, ratings);
  const missing = itemIds.filter((id) => !seen.has(id));
  if (missing.length > 0)
    throw invalid('items', `items：每一项承诺都要评价，缺少 ${missing.length} 项`, 'incomplete');
}

/** The share of items fulfilled, partly counting half; null when nothing was rated. */
export function fulfilmentRate(results: readonly CommitmentResult[]): number | null {
  if (results.length === 0) return null;
  const points = results.reduce(
    (s, r) => s + (r === 'fulfilled' ? 1 : r === 'partly' ? 0.5 : 0),
    0,
  );
  return Math.round((points / results.length) * 10000) / 10000;
}

/** The members' tally of one item (党员评诺): counts only, never who chose what. */
export interface MemberTally {
  fulfilled: number;
  partly: number;
  not_fulfilled: number;
  /** How many members rated the item: always the sum of the counts. */
  raters: number;
}

/**
 * 党员评诺: who may rate a commitment's items as a member — anyone holding a role in the
 * commitment's own org, except the secretary whose personal commitment it is (nobody rates
 * themselves). Members rate while the commitment is published; the superior's evaluation
 * closes their rating, and only then is the tally shown.
 */
export function assertMayRateAsMember(
  actor: Actor,
  commitment: { orgId: string; userId: string | null; state: CommitmentState },
): void {
  if (commitment.state !== 'published') {
    throw conflict(
      `党员评诺只能在承诺公示后、上级评诺前进行，当前状态为 ${commitment.state}`,
      'state',
      'invalid_commitment_state',
    );
  }
  if (!actor.grants.some((g) => g.org.id === commitment.orgId)) {
    throw forbidden('只有本组织的成员（在本组织有角色的人）可以参与党员评诺', 'not_a_member');
  }
  if (commitment.userId === actor.userId) {
    throw forbidden('不能评价自己的个人承诺', 'conflict_of_interest');
  }
}

/** 党员评诺: some or all items, each at most once in a request, with a known result. */
export function validateMemberRatings(
  itemIds: readonly string[],
  ratings: readonly { itemId: string; result: string }[],
): void {
  if (ratings.length === 0) throw invalid('items', 'items：至少评价一项承诺事项', 'required');
  checkRatings(itemIds, ratings);
}

/** What one member's ratings add to each tally row of a commitment: 1 to the chosen count, 0 elsewhere. */
export function tallyIncrements(
  itemIds: readonly string[],
  ratings: readonly { itemId: string; result: CommitmentResult }[],
): { itemId: string; fulfilled: number; partly: number; not_fulfilled: number }[] {
  const chosen = new Map(ratings.map((r) => [r.itemId, r.result]));
  return itemIds.map((itemId) => {
    const r = chosen.get(itemId);
    return {
      itemId,
      fulfilled: r === 'fulfilled' ? 1 : 0,
      partly: r === 'partly' ? 1 : 0,
      not_fulfilled: r === 'not_fulfilled' ? 1 : 0,
    };
  });
}

/**
 * 践诺 in the quarterly rhythm: an item owes progress in a quarter while its commitment is
 * published, the quarter lies in the commitment's year, and nothing was reported for the item
 * in that quarter yet.
 */
export function owesQuarterlyProgress(
  commitment: { state: CommitmentState; year: number },
  quarterLabel: string,
  reportedQuarters: readonly string[],
): boolean {
  return (
    commitment.state === 'published' &&
    quarterLabel.startsWith(`${commitment.year}Q`) &&
    !reportedQuarters.includes(quarterLabel)
  );
}
