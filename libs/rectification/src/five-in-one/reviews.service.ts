import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  assertReviewOpen,
  checkBallot,
  CLOCK,
  type Clock,
  conflict,
  forbidden,
  type GradeCounts,
  holdsRoleOver,
  invalid,
  isUniqueViolation,
  isStrictlyBelow,
  notFound,
  type ReviewGrade,
  reviewGrade,
  reviewScore,
  validateReviewSetup,
} from '#duban/domain';
import { pathToIds, scopeCondition, scopeParams } from '#duban/persistence';
import {
  assertOwnAttachments,
  assertUsersExist,
  type LoopOrg,
  openLoopCase,
  orgById,
  orgInScope,
} from './loop-support';
import { type ReviewRecord, ReviewsRepository } from './reviews.repository';

export interface ReviewView {
  id: string;
  hostOrgId: string;
  year: number;
  state: 'open' | 'closed';
  closedAt: string | null;
  voterCount: number;
  /** The subjects the caller has voted for (only their own ballots, never the grades). */
  myBallots: string[];
  subjects: {
    orgId: string;
    userId: string;
    report: { text: string; attachmentIds: string[]; reportedAt: string } | null;
    /** After close only: counts, how many voted (= the sum of counts), score, grade, comments. */
    counts: GradeCounts | null;
    voters: number | null;
    score: number | null;
    grade: ReviewGrade | null;
    comments: string[] | null;
  }[];
}

export interface ReviewCloseResult {
  subjects: {
    userId: string;
    counts: GradeCounts;
    voters: number;
    score: number | null;
    grade: ReviewGrade | null;
  }[];
}

const HOSTS = ['secretary', 'deputy', 'admin'] as const;

/** 述职评议: the host committee's annual review of the secretaries below it. */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly repo: ReviewsRepository,
  ) {}

  async create(
    actor: Actor,
    input: {
      hostOrgId: string;
      year: number;
      subjects: { orgId: string; userId: string }[];
      voterUserIds: string[];
    },
  ): Promise<ReviewView> {
    validateReviewSetup(input);
    const now = this.clock.now();
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      const host = await orgInScope(m, actor, input.hostOrgId, 'hostOrgId');
      this.assertHost(actor, host);
      const subjects = [];
      for (const [i, s] of input.subjects.entries()) {
        const org = await orgById(m, s.orgId);
        if (!isStrictlyBelow(org, host.id))
          throw invalid(
            `subjects[${i}].orgId`,
            `subjects[${i}].orgId：须是主办组织的下级组织`,
            'not_below_host',
          );
        subjects.push({ userId: s.userId, orgId: org.id, orgPath: org.pathText });
      }
      await assertUsersExist(
        m,
        input.subjects.map((s) => s.userId),
        'subjects[].userId',
      );
      await assertUsersExist(m, input.voterUserIds, 'voterUserIds');
      await this.repo.insert(m, {
        id,
        hostOrgId: host.id,
        hostOrgPath: host.pathText,
        year: input.year,
        createdBy: actor.userId,
        now,
        subjects,
        voterUserIds: input.voterUserIds,
      });
      await this.audit.append(m, [
        {
          streamType: 'review',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'created',
          toState: 'open',
          data: {
            hostOrgId: host.id,
            year: input.year,
            subjects: input.subjects,
            voters: input.voterUserIds.length,
          },
        },
      ]);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string, m: EntityManager = this.db.manager): Promise<ReviewView> {
    const review = await this.visible(m, actor, id);
    const tallies = review.state === 'closed' ? await this.repo.tallies(m, id) : [];
    return {
      id: review.id,
      hostOrgId: review.hostOrgId,
      year: review.year,
      state: review.state,
      closedAt: review.closedAt,
      voterCount: review.voterCount,
      myBallots: await this.repo.votedFor(m, id, actor.userId),
      subjects: review.subjects.map((s) => {
        const t = tallies.find((x) => x.subjectUserId === s.userId);
        return {
          orgId: s.orgId,
          userId: s.userId,
          report: s.report,
          counts: s.counts,
          voters: t?.voters ?? null,
          score: s.score,
          grade: s.grade,
          comments: t?.comments ?? null,
        };
      }),
    };
  }

  async list(actor: Actor, filter: { orgId?: string; year?: number }): Promise<ReviewView[]> {
    const ids = await this.repo.listVisible(
      this.db.manager,
      actor.userId,
      { sql: scopeCondition('r.host_org_path', '$1', '$2'), params: scopeParams(actor) },
      filter,
    );
    return Promise.all(ids.map((id) => this.get(actor, id)));
  }

  /** 述职: the subject files their report (text and attachments) while the review is open. */
  async report(
    actor: Actor,
    id: string,
    input: { subjectUserId: string; text: string; attachmentIds?: string[] },
  ): Promise<ReviewView> {
    if (!input.text?.trim()) throw invalid('text', 'text：述职报告不能为空', 'required');
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const review = await this.visible(m, actor, id, true);
      assertReviewOpen(review.state);
      if (!review.subjects.some((s) => s.userId === input.subjectUserId))
        throw invalid('subjectUserId', 'subjectUserId：不是本次评议的述职对象', 'not_a_subject');
      if (input.subjectUserId !== actor.userId)
        throw forbidden('只有述职对象本人可以提交述职报告', 'not_the_subject');
      const attachmentIds = [...new Set(input.attachmentIds ?? [])];
      await assertOwnAttachments(m, actor, attachmentIds, 'attachmentIds');
      await this.repo.saveReport(m, id, actor.userId, {
        text: input.text.trim(),
        attachmentIds,
        now,
      });
      await this.audit.append(m, [
        {
          streamType: 'review',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'report_filed',
          data: { subjectUserId: actor.userId, attachmentIds },
        },
      ]);
    });
    return this.get(actor, id);
  }

  /**
   * One anonymous ballot. The audit event says who voted for whom — never the grade or the
   * comment; the grade goes only into the counters (ReviewsRepository.castBallot).
   */
  async vote(
    actor: Actor,
    id: string,
    input: { subjectUserId: string; grade: string; comment?: string },
  ): Promise<{ voted: true; subjectUserId: string }> {
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const review = await this.repo.find(m, id, true);
      if (!review) throw notFound(`评议 ${id} 不存在或不在你的范围内`, 'review_not_found');
      const isVoter = await this.repo.isOnVotingList(m, id, actor.userId);
      if (!isVoter && !this.mayManage(actor, review))
        throw notFound(`评议 ${id} 不存在或不在你的范围内`, 'review_not_found');
      const ballot = {
        state: review.state,
        isVoter,
        subjectUserIds: review.subjects.map((s) => s.userId),
        subjectUserId: input.subjectUserId,
        grade: input.grade,
      };
      checkBallot(ballot);
      try {
        await this.repo.castBallot(m, {
          reviewId: id,
          voterUserId: actor.userId,
          subjectUserId: input.subjectUserId,
          grade: ballot.grade,
          comment: input.comment?.trim() || null,
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict(
            '你已对该述职对象投过票，每人每个对象只能投一票',
            'subjectUserId',
            'already_voted',
          );
        throw e;
      }
      await this.audit.append(m, [
        {
          streamType: 'review',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'voted',
          data: { subjectUserId: input.subjectUserId },
        },
      ]);
    });
    return { voted: true, subjectUserId: input.subjectUserId };
  }

  /** Closing freezes counts, scores and grades; a secretary graded 差 faces a 问责 case. */
  async close(actor: Actor, id: string): Promise<ReviewCloseResult> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const review = await this.visible(m, actor, id, true);
      const host = await orgById(m, review.hostOrgId);
      this.assertHost(actor, host);
      assertReviewOpen(review.state);
      const tallies = await this.repo.tallies(m, id);
      const frozen = tallies.map((t) => {
        const score = reviewScore(t.counts);
        return {
          userId: t.subjectUserId,
          counts: t.counts,
          voters: t.voters,
          score,
          grade: reviewGrade(score),
        };
      });
      await this.repo.close(m, id, now, frozen);
      await this.audit.append(m, [
        {
          streamType: 'review',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'closed',
          fromState: 'open',
          toState: 'closed',
          data: { subjects: frozen },
        },
      ]);
      for (const f of frozen.filter((x) => x.grade === 'poor')) {
        const subject = review.subjects.find((s) => s.userId === f.userId)!;
        const org = await orgById(m, subject.orgId);
        await openLoopCase(m, this.audit, {
          key: `review:${id}:${f.userId}`,
          summary: `述职评议为“差”：${org.name} 书记（${review.year} 年，得分 ${f.score}）`,
          raisingOrg: host,
          subjectOrg: org,
          subjectUserIds: [f.userId],
          now,
          actorId: actor.userId,
        });
      }
      return { subjects: frozen };
    });
  }

  private assertHost(actor: Actor, host: LoopOrg): void {
    if (!actor.systemAdmin && !holdsRoleOver(actor, host, HOSTS))
      throw forbidden(
        '组织述职评议需要主办组织（或其上级）的书记、副书记或管理员角色',
        'not_review_host',
      );
  }

  /** Anyone holding a role at or above the host org (not merely a voter) sees the review. */
  private mayManage(actor: Actor, review: ReviewRecord): boolean {
    const path = pathToIds(review.hostOrgPath);
    return actor.systemAdmin || actor.grants.some((g) => path.includes(g.org.id));
  }

  /** In scope of the host, on the voting list, or a subject; else 404. */
  private async visible(
    m: EntityManager,
    actor: Actor,
    id: string,
    lock = false,
  ): Promise<ReviewRecord> {
    const review = await this.repo.find(m, id, lock);
    if (
      review &&
      (this.mayManage(actor, review) ||
        review.subjects.some((s) => s.userId === actor.userId) ||
        (await this.repo.isOnVotingList(m, id, actor.userId)))
    )
      return review;
    throw notFound(`评议 ${id} 不存在或不在你的范围内`, 'review_not_found');
  }
}
