import { Inject, Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  assertMayFile,
  assertMayRateAsMember,
  assertMayReportProgress,
  assertMayReview,
  CLOCK,
  type Clock,
  type CommitmentAction,
  type CommitmentResult,
  commitmentTransition,
  conflict,
  invalid,
  isUniqueViolation,
  notFound,
  quarterOf,
  tallyIncrements,
  validateCommitmentItems,
  validateEvaluation,
  validateMemberRatings,
} from '#duban/domain';
import { idsToPath } from '#duban/persistence';
import { type CommitmentRecord, CommitmentsRepository } from './commitments.repository';
import {
  assertOwnAttachments,
  assertUsersExist,
  orgById,
  orgInScope,
  secretariesOf,
  openLoopCase,
} from './loop-support';

/** A commitment as its reader sees it: with the items they have rated as a member (which, never how). */
export type CommitmentView = CommitmentRecord & { myRatedItemIds: string[] };

export interface FileCommitmentInput {
  orgId: string;
  userId?: string;
  year: number;
  items: { title: string; target: string; dueDate: string; taskIds?: string[] }[];
}

/**
 * Who sees a commitment: people with a non-member role at or above its org see every state;
 * members of the org (or anyone in scope) see it once published (亮诺).
 */
export function commitmentVisibility(actor: Actor, first = 1): { sql: string; params: unknown[] } {
  const managing = actor.grants
    .filter((g) => g.role !== 'member')
    .map((g) => idsToPath(g.org.path));
  const all = actor.grants.map((g) => idsToPath(g.org.path));
  return {
    sql: `($${first + 2}::boolean OR c.org_path <@ ANY($${first}::ltree[])
           OR (c.state IN ('published', 'evaluated') AND c.org_path <@ ANY($${first + 1}::ltree[])))`,
    params: [managing, all, actor.systemAdmin],
  };
}

const PAST = { submit: 'submitted', approve: 'approved', return: 'returned', publish: 'published' };

const RESULT_LABELS: Record<CommitmentResult, string> = {
  fulfilled: '已兑现',
  partly: '部分兑现',
  not_fulfilled: '未兑现',
};

/** 承诺: filing, review by the superior, publication, quarterly progress and the year-end rating. */
@Injectable()
export class CommitmentsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly repo: CommitmentsRepository,
  ) {}

  async file(actor: Actor, input: FileCommitmentInput): Promise<CommitmentView> {
    validateCommitmentItems(input.year, input.items);
    const now = this.clock.now();
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      const org = await orgInScope(m, actor, input.orgId, 'orgId');
      assertMayFile(actor, org);
      if (input.userId) await assertUsersExist(m, [input.userId], 'userId');
      const items = input.items.map((i) => ({
        id: randomUUID(),
        title: i.title.trim(),
        target: i.target.trim(),
        dueDate: i.dueDate,
        taskIds: [...new Set(i.taskIds ?? [])],
      }));
      const linked = [...new Set(items.flatMap((i) => i.taskIds))];
      if (
        linked.length > 0 &&
        (await this.repo.countTasksUnder(m, org.pathText, linked)) !== linked.length
      )
        throw invalid(
          'items[].taskIds',
          'items[].taskIds：关联的整改措施须属于本组织',
          'unknown_task',
        );
      try {
        await this.repo.insert(m, {
          id,
          orgId: org.id,
          orgPath: org.pathText,
          userId: input.userId ?? null,
          year: input.year,
          filedBy: actor.userId,
          now,
          items,
        });
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw conflict(
            `该组织（或个人）${input.year} 年的承诺已存在`,
            'year',
            'commitment_exists',
          );
        }
        throw e;
      }
      await this.audit.append(m, [
        {
          streamType: 'commitment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'filed',
          toState: 'draft',
          data: {
            orgId: org.id,
            userId: input.userId ?? null,
            year: input.year,
            items: items.length,
          },
        },
      ]);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string, m: EntityManager = this.db.manager): Promise<CommitmentView> {
    const found = await this.repo.find(m, id, commitmentVisibility(actor));
    if (!found) throw notFound(`承诺 ${id} 不存在或不在你的范围内`, 'commitment_not_found');
    return (await this.withMyRatings(m, actor, [found]))[0];
  }

  async list(actor: Actor, filter: { orgId?: string; year?: number }): Promise<CommitmentView[]> {
    const m = this.db.manager;
    return this.withMyRatings(
      m,
      actor,
      await this.repo.list(m, filter, commitmentVisibility(actor)),
    );
  }

  private async withMyRatings(
    m: EntityManager,
    actor: Actor,
    found: CommitmentRecord[],
  ): Promise<CommitmentView[]> {
    const mine = await this.repo.ratedBy(
      m,
      found.map((c) => c.id),
      actor.userId,
    );
    return found.map((c) => ({ ...c, myRatedItemIds: mine.get(c.id) ?? [] }));
  }

  /** 亮诺公示: the published commitments the caller may see, as an xlsx sheet. */
  async publicSheet(actor: Actor, filter: { orgId?: string; year?: number }): Promise<Buffer> {
    const published = (await this.list(actor, filter)).filter((c) =>
      ['published', 'evaluated'].includes(c.state),
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('承诺公示');
    sheet.addRow(['序号', '组织', '年度', '承诺事项', '目标', '完成时限', '评诺结果', '党员评价']);
    let n = 0;
    for (const c of published)
      for (const i of c.items)
        sheet.addRow([
          ++n,
          c.orgName,
          c.year,
          i.title,
          i.target,
          i.dueDate,
          i.result ? RESULT_LABELS[i.result] : '',
          i.memberTally
            ? `${RESULT_LABELS.fulfilled} ${i.memberTally.fulfilled}，${RESULT_LABELS.partly} ${i.memberTally.partly}，${RESULT_LABELS.not_fulfilled} ${i.memberTally.not_fulfilled}`
            : '',
        ]);
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }

  /** submit (the org), approve / return / publish (the superior). */
  async act(
    actor: Actor,
    id: string,
    action: Exclude<CommitmentAction, 'evaluate'>,
    comment?: string,
  ): Promise<CommitmentView> {
    if (action === 'return' && !comment?.trim())
      throw invalid('comment', 'comment：退回时须写明修改意见', 'required');
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const c = await this.locked(m, actor, id);
      const org = await orgById(m, c.orgId);
      if (action === 'submit') assertMayFile(actor, org);
      else assertMayReview(actor, org);
      const to = commitmentTransition(c.state, action);
      await this.repo.setState(m, id, c.state, to, now, {
        returnComment: comment?.trim() ?? null,
        approvedBy: action === 'approve' ? actor.userId : undefined,
      });
      await this.audit.append(m, [
        {
          streamType: 'commitment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: PAST[action],
          fromState: c.state,
          toState: to,
          data: comment?.trim() ? { comment: comment.trim() } : {},
        },
      ]);
    });
    return this.get(actor, id);
  }

  /** 践诺: progress on an item, in the quarter it is reported in. */
  async progress(
    actor: Actor,
    id: string,
    itemId: string,
    input: { content: string; attachmentIds?: string[] },
  ): Promise<CommitmentView> {
    if (!input.content?.trim()) throw invalid('content', 'content：请填写进展情况', 'required');
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const c = await this.locked(m, actor, id);
      const org = await orgById(m, c.orgId);
      if (c.userId !== actor.userId) assertMayFile(actor, org);
      assertMayReportProgress(c.state);
      if (!c.items.some((i) => i.id === itemId))
        throw notFound(`承诺事项 ${itemId} 不属于该承诺`, 'item_not_found');
      const attachmentIds = [...new Set(input.attachmentIds ?? [])];
      await assertOwnAttachments(m, actor, attachmentIds, 'attachmentIds');
      const quarter = quarterOf(now, org.timeZone).label;
      await this.repo.addProgress(m, {
        id: randomUUID(),
        itemId,
        quarter,
        content: input.content.trim(),
        attachmentIds,
        by: actor.userId,
        now,
      });
      await this.audit.append(m, [
        {
          streamType: 'commitment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'progress_reported',
          data: { itemId, quarter, attachmentIds },
        },
      ]);
    });
    return this.get(actor, id);
  }

  /**
   * 党员评诺: a member of the org rates some or all items, each once (409 on a second). Who
   * rated is kept apart from what: the audit event names the items only.
   */
  async rateAsMember(
    actor: Actor,
    id: string,
    ratings: { itemId: string; result: CommitmentResult }[],
  ): Promise<CommitmentView> {
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const c = await this.locked(m, actor, id);
      assertMayRateAsMember(actor, c);
      const itemIds = c.items.map((i) => i.id);
      validateMemberRatings(itemIds, ratings);
      const rated = ratings.map((r) => r.itemId);
      if (
        !(await this.repo.rateAsMember(
          m,
          id,
          actor.userId,
          rated,
          tallyIncrements(itemIds, ratings),
        ))
      )
        throw conflict('你已评价过其中的承诺事项，每项只能评价一次', 'items', 'already_rated');
      await this.audit.append(m, [
        {
          streamType: 'commitment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'member_rated',
          data: { itemIds: rated },
        },
      ]);
    });
    return this.get(actor, id);
  }

  /** 评诺: the superior rates every item; an item not fulfilled opens a 问责 case. */
  async evaluate(
    actor: Actor,
    id: string,
    ratings: { itemId: string; result: CommitmentResult; comment?: string }[],
  ): Promise<CommitmentView> {
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const c = await this.locked(m, actor, id);
      const org = await orgById(m, c.orgId);
      assertMayReview(actor, org);
      validateEvaluation(
        c.items.map((i) => i.id),
        ratings,
      );
      const to = commitmentTransition(c.state, 'evaluate');
      await this.repo.rateItems(
        m,
        ratings.map((r) => ({ ...r, comment: r.comment?.trim() || null })),
      );
      await this.repo.setState(m, id, c.state, to, now);
      await this.audit.append(m, [
        {
          streamType: 'commitment',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'evaluated',
          fromState: c.state,
          toState: to,
          data: { items: ratings.map((r) => ({ itemId: r.itemId, result: r.result })) },
        },
      ]);
      const failed = ratings.filter((r) => r.result === 'not_fulfilled');
      if (failed.length === 0) return;
      const raising = org.parentId ? await orgById(m, org.parentId) : org;
      const subjects = c.userId ? [c.userId] : await secretariesOf(m, org.id);
      for (const r of failed) {
        const item = c.items.find((i) => i.id === r.itemId)!;
        await openLoopCase(m, this.audit, {
          key: `commitment:${item.id}`,
          summary: `承诺未兑现：${org.name} ${c.year} 年承诺「${item.title}」`,
          raisingOrg: raising,
          subjectOrg: org,
          subjectUserIds: subjects,
          now,
          actorId: actor.userId,
        });
      }
    });
    return this.get(actor, id);
  }

  private async locked(m: EntityManager, actor: Actor, id: string): Promise<CommitmentRecord> {
    const found = await this.repo.find(m, id, commitmentVisibility(actor), true);
    if (!found) throw notFound(`承诺 ${id} 不存在或不在你的范围内`, 'commitment_not_found');
    return found;
  }
}
