import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type GradeCounts, REVIEW_GRADES, type ReviewGrade, type ReviewState } from '#duban/domain';

export interface ReviewSubjectRecord {
  userId: string;
  orgId: string;
  orgPath: string;
  report: { text: string; attachmentIds: string[]; reportedAt: string } | null;
  /** Frozen at close; null while the review is open. */
  counts: GradeCounts | null;
  score: number | null;
  grade: ReviewGrade | null;
}

export interface ReviewRecord {
  id: string;
  hostOrgId: string;
  hostOrgPath: string;
  year: number;
  state: ReviewState;
  closedAt: string | null;
  subjects: ReviewSubjectRecord[];
  voterCount: number;
}

interface ReviewRow {
  id: string;
  host_org_id: string;
  host_org_path: string;
  year: number;
  state: ReviewState;
  closed_at: Date | null;
  voters: number;
}

/**
 * Every SQL statement of 述职评议. The ballot is split in two on purpose: `review_voters` says
 * who has voted for whom, `review_tallies` what was voted, and nothing joins them (see
 * castBallot).
 */
@Injectable()
export class ReviewsRepository {
  async insert(
    m: EntityManager,
    r: {
      id: string;
      hostOrgId: string;
      hostOrgPath: string;
      year: number;
      createdBy: string;
      now: Date;
      subjects: { userId: string; orgId: string; orgPath: string }[];
      voterUserIds: string[];
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO reviews (id, host_org_id, host_org_path, year, state, created_by, created_at)
       VALUES ($1, $2, $3::ltree, $4, 'open', $5, $6)`,
      [r.id, r.hostOrgId, r.hostOrgPath, r.year, r.createdBy, r.now],
    );
    await m.query(
      `INSERT INTO review_subjects (review_id, user_id, org_id, org_path)
       SELECT $1, x.user_id, x.org_id, x.org_path::ltree
         FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS x(user_id, org_id, org_path)`,
      [
        r.id,
        r.subjects.map((s) => s.userId),
        r.subjects.map((s) => s.orgId),
        r.subjects.map((s) => s.orgPath),
      ],
    );
    // Every counter exists from the start, so a ballot only ever updates rows.
    await m.query(
      `INSERT INTO review_tallies (review_id, subject_user_id)
       SELECT $1, unnest($2::uuid[])`,
      [r.id, r.subjects.map((s) => s.userId)],
    );
    await m.query(
      `INSERT INTO review_voting_list (review_id, user_id) SELECT $1, unnest($2::uuid[])`,
      [r.id, r.voterUserIds],
    );
  }

  /** The review, locked against concurrent ballots and closing when `lock`. */
  async find(m: EntityManager, id: string, lock = false): Promise<ReviewRecord | null> {
    const rows: ReviewRow[] = await m.query(
      `SELECT r.id, r.host_org_id, r.host_org_path::text AS host_org_path, r.year, r.state, r.closed_at,
              (SELECT count(*)::int FROM review_voting_list v WHERE v.review_id = r.id) AS voters
         FROM reviews r WHERE r.id = $1 ${lock ? 'FOR UPDATE OF r' : ''}`,
      [id],
    );
    if (rows.length === 0) return null;
    const r = rows[0];
    const subjects: {
      user_id: string;
      org_id: string;
      org_path: string;
      report_text: string | null;
      report_attachment_ids: string[];
      reported_at: Date | null;
      counts: GradeCounts | null;
      score: string | null;
      grade: ReviewGrade | null;
    }[] = await m.query(
      `SELECT s.user_id, s.org_id, s.org_path::text AS org_path, s.report_text, s.report_attachment_ids,
              s.reported_at, s.counts, s.score, s.grade
         FROM review_subjects s JOIN orgs o ON o.id = s.org_id
        WHERE s.review_id = $1 ORDER BY o.name, s.user_id`,
      [id],
    );
    return {
      id: r.id,
      hostOrgId: r.host_org_id,
      hostOrgPath: r.host_org_path,
      year: r.year,
      state: r.state,
      closedAt: r.closed_at?.toISOString() ?? null,
      voterCount: r.voters,
      subjects: subjects.map((s) => ({
        userId: s.user_id,
        orgId: s.org_id,
        orgPath: s.org_path,
        report:
          s.report_text === null
            ? null
            : {
                text: s.report_text,
                attachmentIds: s.report_attachment_ids,
                reportedAt: s.reported_at!.toISOString(),
              },
        counts: s.counts,
        score: s.score === null ? null : Number(s.score),
        grade: s.grade,
      })),
    };
  }

  /** Reviews the caller may see: in scope of the host, or on its voting list, or a subject. */
  async listVisible(
    m: EntityManager,
    userId: string,
    scope: { sql: string; params: unknown[] },
    filter: { orgId?: string; year?: number },
  ): Promise<string[]> {
    const params: unknown[] = [...scope.params, userId];
    const me = `$${params.length}`;
    const where = [
      `(${scope.sql} OR EXISTS (SELECT 1 FROM review_voting_list v WHERE v.review_id = r.id AND v.user_id = ${me})
        OR EXISTS (SELECT 1 FROM review_subjects s WHERE s.review_id = r.id AND s.user_id = ${me}))`,
    ];
    if (filter.orgId) {
      params.push(filter.orgId);
      where.push(`r.host_org_id = $${params.length}`);
    }
    if (filter.year) {
      params.push(filter.year);
      where.push(`r.year = $${params.length}`);
    }
    const rows: { id: string }[] = await m.query(
      `SELECT r.id FROM reviews r WHERE ${where.join(' AND ')} ORDER BY r.year DESC, r.id`,
      params,
    );
    return rows.map((r) => r.id);
  }

  async isOnVotingList(m: EntityManager, reviewId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM review_voting_list WHERE review_id = $1 AND user_id = $2`,
      [reviewId, userId],
    );
    return rows.length > 0;
  }

  /** The subjects this voter has already voted for (their own, never what they voted). */
  async votedFor(m: EntityManager, reviewId: string, userId: string): Promise<string[]> {
    const rows: { subject_user_id: string }[] = await m.query(
      `SELECT subject_user_id FROM review_voters WHERE review_id = $1 AND voter_user_id = $2
        ORDER BY subject_user_id`,
      [reviewId, userId],
    );
    return rows.map((r) => r.subject_user_id);
  }

  async saveReport(
    m: EntityManager,
    reviewId: string,
    userId: string,
    report: { text: string; attachmentIds: string[]; now: Date },
  ): Promise<void> {
    await m.query(
      `UPDATE review_subjects SET report_text = $3, report_attachment_ids = $4::uuid[], reported_at = $5
        WHERE review_id = $1 AND user_id = $2`,
      [reviewId, userId, report.text, report.attachmentIds, report.now],
    );
  }

  /**
   * One ballot, in the caller's transaction (the review row locked by it):
   *  1. the voter row — the primary key refuses a second ballot for the same subject;
   *  2. EVERY tally row of the review is rewritten, adding 1 to the chosen counter of the chosen
   *     subject and 0 everywhere else, and re-shuffling every subject's comments. So every row
   *     of the review carries the same transaction id (xmin) and a fresh physical position
   *     after each ballot, and neither tells which counter moved; comments have no order.
   * No timestamp, voter id or sequence number is written next to the grade.
   */
  async castBallot(
    m: EntityManager,
    b: {
      reviewId: string;
      voterUserId: string;
      subjectUserId: string;
      grade: ReviewGrade;
      comment: string | null;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO review_voters (review_id, voter_user_id, subject_user_id) VALUES ($1, $2, $3)`,
      [b.reviewId, b.voterUserId, b.subjectUserId],
    );
    const counters = REVIEW_GRADES.map(
      (g) => `${g} = ${g} + CASE WHEN subject_user_id = $2 AND $3 = '${g}' THEN 1 ELSE 0 END`,
    ).join(', ');
    await m.query(
      `UPDATE review_tallies SET ${counters},
              comments = ARRAY(SELECT c FROM unnest(comments || CASE WHEN subject_user_id = $2 AND $4::text IS NOT NULL
                                                                  THEN ARRAY[$4::text] ELSE '{}'::text[] END) AS c
                               ORDER BY random())
        WHERE review_id = $1`,
      [b.reviewId, b.subjectUserId, b.grade, b.comment],
    );
  }

  /** Counters and comments per subject, and how many voters voted for each. */
  async tallies(
    m: EntityManager,
    reviewId: string,
  ): Promise<{ subjectUserId: string; counts: GradeCounts; comments: string[]; voters: number }[]> {
    const rows: {
      subject_user_id: string;
      good: number;
      fairly_good: number;
      average: number;
      poor: number;
      comments: string[];
      voters: number;
    }[] = await m.query(
      `SELECT t.subject_user_id, t.good, t.fairly_good, t.average, t.poor, t.comments,
              (SELECT count(*)::int FROM review_voters v
                WHERE v.review_id = t.review_id AND v.subject_user_id = t.subject_user_id) AS voters
         FROM review_tallies t WHERE t.review_id = $1 ORDER BY t.subject_user_id`,
      [reviewId],
    );
    return rows.map((r) => ({
      subjectUserId: r.subject_user_id,
      counts: { good: r.good, fairly_good: r.fairly_good, average: r.average, poor: r.poor },
      comments: [...r.comments].sort(),
      voters: r.voters,
    }));
  }

  async close(
    m: EntityManager,
    reviewId: string,
    now: Date,
    frozen: {
      userId: string;
      counts: GradeCounts;
      score: number | null;
      grade: ReviewGrade | null;
    }[],
  ): Promise<void> {
    await m.query(`UPDATE reviews SET state = 'closed', closed_at = $2 WHERE id = $1`, [
      reviewId,
      now,
    ]);
    await m.query(
      `UPDATE review_subjects s SET counts = x.counts, score = x.score, grade = x.grade
         FROM unnest($2::uuid[], $3::jsonb[], $4::numeric[], $5::text[]) AS x(user_id, counts, score, grade)
        WHERE s.review_id = $1 AND s.user_id = x.user_id`,
      [
        reviewId,
        frozen.map((f) => f.userId),
        frozen.map((f) => JSON.stringify(f.counts)),
        frozen.map((f) => f.score),
        frozen.map((f) => f.grade),
      ],
    );
  }

  /** Scores of closed reviews held by `hostOrgId` in `year`, per subject org. */
  async scoresByOrg(
    m: EntityManager,
    hostOrgId: string,
    year: number,
  ): Promise<Map<string, number>> {
    const rows: { org_id: string; score: string }[] = await m.query(
      `SELECT s.org_id, avg(s.score) AS score FROM review_subjects s JOIN reviews r ON r.id = s.review_id
        WHERE r.host_org_id = $1 AND r.year = $2 AND r.state = 'closed' AND s.score IS NOT NULL
        GROUP BY s.org_id`,
      [hostOrgId, year],
    );
    return new Map(rows.map((r) => [r.org_id, Math.round(Number(r.score) * 100) / 100]));
  }
}
