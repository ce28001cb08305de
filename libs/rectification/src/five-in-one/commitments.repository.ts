import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CommitmentResult, CommitmentState } from '#duban/domain';
import { returning } from '#duban/persistence';

export interface CommitmentItemRecord {
  id: string;
  title: string;
  target: string;
  dueDate: string;
  taskIds: string[];
  result: CommitmentResult | null;
  resultComment: string | null;
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
