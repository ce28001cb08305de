import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CommitmentResult, CommitmentState, MemberTally } from '#duban/domain';
import { type ChunkCursor, openCursor, returning } from '#duban/persistence';
import type { PersonTasks } from '../tasks/task-engine-rows';

export interface CommitmentItemRecord {
  id: string;
  title: string;
  target: string;
  dueDate: string;
  taskIds: string[];
  result: CommitmentResult | null;
  resultComment: string | null;
  /** 党员评诺: the members' counts, shown once the superior has evaluated (else null). */
  memberTally: MemberTally | null;
  progress: { quarter: string; content: string; attachmentIds: string[]; reportedAt: string }[];
}

export interface CommitmentRecord {
  id: string;
  orgId: string;
  orgName: string;
  orgPath: string;
  userId: string | null;
  year: number;
  state: CommitmentState;
  returnComment: string | null;
  publishedAt: string | null;
  items: CommitmentItemRecord[];
}

/** A commitment item a person reports on in a quarter (践诺), as the quarterly notice lists it. */
export interface CommitmentItemDue {
  commitmentId: string;
  itemId: string;
  orgName: string;
  title: string;
  dueDate: string;
}

/**
 * Items owing progress in a quarter, with who reports them: the person of a personal
 * commitment, the org's secretaries otherwise. The SQL form of owesQuarterlyProgress
 * (libs/domain): published, of the quarter's year, nothing reported for the item in the
 * quarter. $1 time zone, $2 year, $3 quarter label; `reporters` narrows the people.
 */
function itemsDueSql(reporters: string): string {
  return `
    WITH who AS (
      SELECT c.id AS commitment_id, c.user_id AS user_id FROM commitments c
       WHERE c.user_id IS NOT NULL AND c.state = 'published' AND c.year = $2
         AND ${reporters.replaceAll('{user}', 'c.user_id')}
      UNION ALL
      SELECT c.id, ra.user_id FROM role_assignments ra
        JOIN commitments c ON c.org_id = ra.org_id AND c.user_id IS NULL
       WHERE ra.role = 'secretary' AND ra.revoked_at IS NULL AND c.state = 'published'
         AND c.year = $2 AND ${reporters.replaceAll('{user}', 'ra.user_id')})
    SELECT w.user_id,
           json_agg(json_build_object('commitmentId', c.id, 'itemId', i.id, 'orgName', o.name,
                    'title', i.title, 'dueDate', to_char(i.due_date, 'YYYY-MM-DD'))
                    ORDER BY o.name, i.due_date, i.position, i.id) AS commitments
      FROM who w JOIN commitments c ON c.id = w.commitment_id
      JOIN orgs o ON o.id = c.org_id AND o.time_zone = $1
      JOIN commitment_items i ON i.commitment_id = c.id
     WHERE NOT EXISTS (SELECT 1 FROM commitment_progress p WHERE p.item_id = i.id AND p.quarter = $3)
     GROUP BY w.user_id`;
}

interface Row {
  id: string;
  org_id: string;
  org_name: string;
  org_path: string;
  user_id: string | null;
  year: number;
  state: CommitmentState;
  return_comment: string | null;
  published_at: Date | null;
}

interface ItemRow {
  id: string;
  commitment_id: string;
  title: string;
  target: string;
  due_date: string;
  task_ids: string[];
  result: CommitmentResult | null;
  result_comment: string | null;
}

/** Every SQL statement on commitments (承诺) and their items and progress. */
@Injectable()
export class CommitmentsRepository {
  async insert(
    m: EntityManager,
    c: {
      id: string;
      orgId: string;
      orgPath: string;
      userId: string | null;
      year: number;
      filedBy: string;
      now: Date;
      items: { id: string; title: string; target: string; dueDate: string; taskIds: string[] }[];
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO commitments (id, org_id, org_path, user_id, year, state, filed_by, created_at, updated_at)
       VALUES ($1, $2, $3::ltree, $4, $5, 'draft', $6, $7, $7)`,
      [c.id, c.orgId, c.orgPath, c.userId, c.year, c.filedBy, c.now],
    );
    await m.query(
      `INSERT INTO commitment_items (id, commitment_id, position, title, target, due_date, task_ids)
       SELECT x.id, $1, x.pos, x.title, x.target, x.due_date::date, string_to_array(x.tasks, ',')::uuid[]
         FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS x(id, pos, title, target, due_date, tasks)`,
      [
        c.id,
        c.items.map((i) => i.id),
        c.items.map((_, n) => n + 1),
        c.items.map((i) => i.title),
        c.items.map((i) => i.target),
        c.items.map((i) => i.dueDate),
        c.items.map((i) => i.taskIds.join(',')),
      ],
    );
    await m.query(
      `INSERT INTO commitment_member_tallies (item_id, commitment_id) SELECT unnest($2::uuid[]), $1`,
      [c.id, c.items.map((i) => i.id)],
    );
  }

  /** Tasks that exist under the org (measures an item may link to). */
  async countTasksUnder(m: EntityManager, orgPath: string, taskIds: string[]): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND responsible_org_path <@ $2::ltree`,
      [taskIds, orgPath],
    );
    return rows[0].n;
  }

  /** One commitment, locked for update when `lock`. `visible` is an SQL condition on `c`. */
  async find(
    m: EntityManager,
    id: string,
    visible: { sql: string; params: unknown[] },
    lock = false,
  ): Promise<CommitmentRecord | null> {
    const rows: Row[] = await m.query(
      `SELECT c.id, c.org_id, o.name AS org_name, c.org_path::text AS org_path, c.user_id, c.year,
              c.state, c.return_comment, c.published_at
         FROM commitments c JOIN orgs o ON o.id = c.org_id
        WHERE c.id = $${visible.params.length + 1} AND ${visible.sql}
        ${lock ? 'FOR UPDATE OF c' : ''}`,
      [...visible.params, id],
    );
    if (rows.length === 0) return null;
    return (await this.withItems(m, rows))[0];
  }

  async list(
    m: EntityManager,
    filter: { orgId?: string; year?: number },
    visible: { sql: string; params: unknown[] },
  ): Promise<CommitmentRecord[]> {
    const params = [...visible.params];
    const where = [visible.sql];
    if (filter.orgId) {
      params.push(filter.orgId);
      where.push(`c.org_id = $${params.length}`);
    }
    if (filter.year) {
      params.push(filter.year);
      where.push(`c.year = $${params.length}`);
    }
    const rows: Row[] = await m.query(
      `SELECT c.id, c.org_id, o.name AS org_name, c.org_path::text AS org_path, c.user_id, c.year,
              c.state, c.return_comment, c.published_at
         FROM commitments c JOIN orgs o ON o.id = c.org_id
        WHERE ${where.join(' AND ')} ORDER BY c.year DESC, o.name, c.user_id NULLS FIRST, c.id`,
      params,
    );
    return this.withItems(m, rows);
  }

  async setState(
    m: EntityManager,
    id: string,
    from: CommitmentState,
    to: CommitmentState,
    now: Date,
    extra: { returnComment?: string | null; approvedBy?: string } = {},
  ): Promise<boolean> {
    const rows = await returning(
      m,
      `UPDATE commitments SET state = $3, updated_at = $4,
              return_comment = CASE WHEN $3 = 'returned' THEN $5 ELSE return_comment END,
              approved_by = coalesce($6, approved_by),
              published_at = CASE WHEN $3 = 'published' THEN $4 ELSE published_at END,
              evaluated_at = CASE WHEN $3 = 'evaluated' THEN $4 ELSE evaluated_at END
        WHERE id = $1 AND state = $2 RETURNING id`,
      [id, from, to, now, extra.returnComment ?? null, extra.approvedBy ?? null],
    );
    return rows.length === 1;
  }

  async addProgress(
    m: EntityManager,
    p: {
      id: string;
      itemId: string;
      quarter: string;
      content: string;
      attachmentIds: string[];
      by: string;
      now: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO commitment_progress (id, item_id, quarter, content, attachment_ids, reported_by, reported_at)
       VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7)`,
      [p.id, p.itemId, p.quarter, p.content, p.attachmentIds, p.by, p.now],
    );
  }

  async rateItems(
    m: EntityManager,
    ratings: { itemId: string; result: CommitmentResult; comment: string | null }[],
  ): Promise<void> {
    await m.query(
      `UPDATE commitment_items i SET result = x.result, result_comment = x.comment
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(id, result, comment)
        WHERE i.id = x.id`,
      [ratings.map((r) => r.itemId), ratings.map((r) => r.result), ratings.map((r) => r.comment)],
    );
  }

  /**
   * 党员评诺: records that the member rated these items (never how) and adds the increments to
   * the tallies — one row per item of the commitment, every row rewritten (see the migration
   * 1764760000000-CommitmentMemberRatings). False, with nothing written, when the member had
   * rated one of the items already.
   */
  async rateAsMember(
    m: EntityManager,
    commitmentId: string,
    raterUserId: string,
    ratedItemIds: string[],
    increments: { itemId: string; fulfilled: number; partly: number; not_fulfilled: number }[],
  ): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO commitment_raters (commitment_id, item_id, rater_user_id)
       SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING RETURNING 1`,
      [commitmentId, ratedItemIds, raterUserId],
    );
    if (inserted.length !== ratedItemIds.length) return false;
    await m.query(
      `UPDATE commitment_member_tallies t
          SET fulfilled = t.fulfilled + x.fulfilled, partly = t.partly + x.partly,
              not_fulfilled = t.not_fulfilled + x.not_fulfilled
         FROM unnest($2::uuid[], $3::int[], $4::int[], $5::int[]) AS x(item_id, fulfilled, partly, not_fulfilled)
        WHERE t.commitment_id = $1 AND t.item_id = x.item_id`,
      [
        commitmentId,
        increments.map((i) => i.itemId),
        increments.map((i) => i.fulfilled),
        increments.map((i) => i.partly),
        increments.map((i) => i.not_fulfilled),
      ],
    );
    return true;
  }

  /** The items of these commitments a member has rated (which, never how). */
  async ratedBy(
    m: EntityManager,
    commitmentIds: string[],
    userId: string,
  ): Promise<Map<string, string[]>> {
    if (commitmentIds.length === 0) return new Map();
    const rows: { commitment_id: string; items: string[] }[] = await m.query(
      `SELECT commitment_id, array_agg(item_id) AS items FROM commitment_raters
        WHERE commitment_id = ANY($1::uuid[]) AND rater_user_id = $2 GROUP BY commitment_id`,
      [commitmentIds, userId],
    );
    return new Map(rows.map((r) => [r.commitment_id, r.items]));
  }

  /** 践诺 in the quarterly rhythm: the items each of these people reports on this quarter. */
  async itemsDueFor(
    m: EntityManager,
    timeZone: string,
    quarterLabel: string,
    userIds: string[],
  ): Promise<Map<string, CommitmentItemDue[]>> {
    if (userIds.length === 0) return new Map();
    const rows: { user_id: string; commitments: CommitmentItemDue[] }[] = await m.query(
      itemsDueSql('{user} = ANY($4::uuid[])'),
      [timeZone, Number(quarterLabel.slice(0, 4)), quarterLabel, userIds],
    );
    return new Map(rows.map((r) => [r.user_id, r.commitments]));
  }

  /**
   * A cursor over the people who report commitment items this quarter in the zone but answer
   * for no open measure there (so the quarter start's task cursor did not reach them): their one
   * quarterly message lists the items alone.
   */
  openDueWithoutOpenTasks(
    m: EntityManager,
    timeZone: string,
    quarterLabel: string,
  ): Promise<ChunkCursor<PersonTasks & { commitments: CommitmentItemDue[] }>> {
    return openCursor<
      { user_id: string; commitments: CommitmentItemDue[] },
      PersonTasks & { commitments: CommitmentItemDue[] }
    >(
      m,
      'quarter_commitments',
      `SELECT d.user_id, d.commitments FROM (${itemsDueSql('true')}) d
        WHERE NOT EXISTS (
          SELECT 1 FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
           WHERE t.responsible_user_id = d.user_id AND ro.time_zone = $1
             AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL)`,
      [timeZone, Number(quarterLabel.slice(0, 4)), quarterLabel],
      (r) => ({ userId: r.user_id, tasks: [], commitments: r.commitments }),
    );
  }

  /** Rated items of the commitments filed under each org's subtree in a year. */
  async resultsUnder(
    m: EntityManager,
    orgPaths: string[],
    year: number,
  ): Promise<Map<string, CommitmentResult[]>> {
    const rows: { path: string; results: CommitmentResult[] }[] = await m.query(
      `SELECT p.path, coalesce(array_agg(i.result) FILTER (WHERE i.result IS NOT NULL), '{}') AS results
         FROM unnest($1::text[]) AS p(path)
         LEFT JOIN commitments c ON c.org_path <@ p.path::ltree AND c.year = $2 AND c.state = 'evaluated'
         LEFT JOIN commitment_items i ON i.commitment_id = c.id
        GROUP BY p.path`,
      [orgPaths, year],
    );
    return new Map(rows.map((r) => [r.path, r.results]));
  }

  private async withItems(m: EntityManager, rows: Row[]): Promise<CommitmentRecord[]> {
    if (rows.length === 0) return [];
    const items: ItemRow[] = await m.query(
      `SELECT id, commitment_id, title, target, to_char(due_date, 'YYYY-MM-DD') AS due_date,
              task_ids, result, result_comment
         FROM commitment_items WHERE commitment_id = ANY($1::uuid[]) ORDER BY position`,
      [rows.map((r) => r.id)],
    );
    const progress: {
      item_id: string;
      quarter: string;
      content: string;
      attachment_ids: string[];
      reported_at: Date;
    }[] = await m.query(
      `SELECT item_id, quarter, content, attachment_ids, reported_at FROM commitment_progress
        WHERE item_id = ANY($1::uuid[]) ORDER BY reported_at, id`,
      [items.map((i) => i.id)],
    );
    // The members' tallies appear once the superior has evaluated (评诺 closed).
    const tallies: {
      item_id: string;
      fulfilled: number;
      partly: number;
      not_fulfilled: number;
    }[] = await m.query(
      `SELECT item_id, fulfilled, partly, not_fulfilled FROM commitment_member_tallies
        WHERE commitment_id = ANY($1::uuid[])`,
      [rows.filter((r) => r.state === 'evaluated').map((r) => r.id)],
    );
    const tallyOf = new Map(
      tallies.map((t) => [
        t.item_id,
        {
          fulfilled: t.fulfilled,
          partly: t.partly,
          not_fulfilled: t.not_fulfilled,
          raters: t.fulfilled + t.partly + t.not_fulfilled,
        },
      ]),
    );
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: r.org_name,
      orgPath: r.org_path,
      userId: r.user_id,
      year: r.year,
      state: r.state,
      returnComment: r.return_comment,
      publishedAt: r.published_at?.toISOString() ?? null,
      items: items
        .filter((i) => i.commitment_id === r.id)
        .map((i) => ({
          id: i.id,
          title: i.title,
          target: i.target,
          dueDate: i.due_date,
          taskIds: i.task_ids,
          result: i.result,
          resultComment: i.result_comment,
          memberTally: tallyOf.get(i.id) ?? null,
          progress: progress
            .filter((p) => p.item_id === i.id)
            .map((p) => ({
              quarter: p.quarter,
              content: p.content,
              attachmentIds: p.attachment_ids,
              reportedAt: p.reported_at.toISOString(),
            })),
        })),
    }));
  }
}
