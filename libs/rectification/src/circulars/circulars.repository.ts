import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { offsetOf, type OrgRef, type PageRequest } from '#duban/domain';
import { pathToIds, scopeCondition, scopeParams, type ScopeOwner } from '#duban/persistence';

export interface CircularOrg extends OrgRef {
  name: string;
  pathText: string;
  timeZone: string;
}

export interface CircularRecord {
  id: string;
  orgId: string;
  orgName: string;
  quarter: string;
  title: string;
  fileName: string;
  byteSize: number;
  sha256: string;
  addresseeOrgIds: string[];
  issuedBy: string;
  issuedAt: Date;
}

export interface NewCircularRecord extends Omit<CircularRecord, 'orgName' | 'byteSize'> {
  orgPath: string;
  content: Buffer;
}

interface CircularRow {
  id: string;
  org_id: string;
  org_name: string;
  quarter: string;
  title: string;
  file_name: string;
  byte_size: number;
  sha256: string;
  addressee_org_ids: string[];
  issued_by: string;
  issued_at: Date;
}

/**
 * Who may read an issued 通报 ($1 role paths, $2 admin flag): whoever sees the issuing org (a
 * role in it or above it), and whoever holds a role anywhere in its subtree — which holds the
 * orgs it names (主送), its child orgs.
 */
const VISIBLE = `(${scopeCondition('c.org_path', '$1', '$2')}
  OR EXISTS (SELECT 1 FROM unnest($1::ltree[]) AS mine(path) WHERE mine.path <@ c.org_path))`;

const COLUMNS = `c.id, c.org_id, o.name AS org_name, c.quarter, c.title, c.file_name,
    c.byte_size, c.sha256, c.addressee_org_ids, c.issued_by, c.issued_at`;
const FROM = `FROM circulars c JOIN orgs o ON o.id = c.org_id`;
const SELECT = `SELECT ${COLUMNS} ${FROM}`;

const toRecord = (r: CircularRow): CircularRecord => ({
  id: r.id,
  orgId: r.org_id,
  orgName: r.org_name,
  quarter: r.quarter,
  title: r.title,
  fileName: r.file_name,
  byteSize: r.byte_size,
  sha256: r.sha256,
  addresseeOrgIds: r.addressee_org_ids,
  issuedBy: r.issued_by,
  issuedAt: r.issued_at,
});

/** Every SQL statement of issued circulars (通报); the only writer of `circulars`. */
@Injectable()
export class CircularsRepository {
  /** An org the caller can see (their subtree), or null. */
  async orgInScope(
    m: EntityManager,
    owner: ScopeOwner,
    orgId: string,
  ): Promise<CircularOrg | null> {
    const rows: { id: string; name: string; path: string; time_zone: string }[] = await m.query(
      `SELECT o.id, o.name, o.path::text AS path, o.time_zone FROM orgs o
        WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [orgId, ...scopeParams(owner)],
    );
    const r = rows[0];
    return r
      ? { id: r.id, name: r.name, pathText: r.path, path: pathToIds(r.path), timeZone: r.time_zone }
      : null;
  }

  /** The org's child orgs (主送), by name. */
  async childOrgs(m: EntityManager, orgId: string): Promise<{ id: string; name: string }[]> {
    return m.query(`SELECT o.id, o.name FROM orgs o WHERE o.parent_id = $1 ORDER BY o.name, o.id`, [
      orgId,
    ]);
  }

  /** Orgs with their parent's name, to tell apart units of the same name. */
  async orgsWithParent(
    m: EntityManager,
    ids: readonly string[],
  ): Promise<{ id: string; name: string; parentName: string | null }[]> {
    if (ids.length === 0) return [];
    const rows: { id: string; name: string; parent_name: string | null }[] = await m.query(
      `SELECT o.id, o.name, p.name AS parent_name FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id
        WHERE o.id = ANY($1::uuid[]) ORDER BY o.id`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, parentName: r.parent_name }));
  }

  /**
   * 约谈 per task, from the task's record: made due by the 通报 step (the ladder's `talk_due`
   * event) and held (`talk_held`, written by POST /tasks/{id}/talks).
   */
  async talks(
    m: EntityManager,
    taskIds: readonly string[],
  ): Promise<Map<string, { due: number; held: number }>> {
    const out = new Map<string, { due: number; held: number }>();
    if (taskIds.length === 0) return out;
    const rows: { task_id: string; due: number; held: number }[] = await m.query(
      `SELECT e.stream_id AS task_id,
              count(*) FILTER (WHERE e.type = 'talk_due')::int AS due,
              count(*) FILTER (WHERE e.type = 'talk_held')::int AS held
         FROM audit_events e
        WHERE e.stream_type = 'task' AND e.stream_id = ANY($1::uuid[])
          AND e.type IN ('talk_due', 'talk_held')
        GROUP BY e.stream_id`,
      [taskIds],
    );
    for (const r of rows) out.set(r.task_id, { due: r.due, held: r.held });
    return out;
  }

  /** The active users holding the secretary role in each of `orgIds`, by org. */
  async secretaries(m: EntityManager, orgIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (orgIds.length === 0) return out;
    const rows: { org_id: string; user_id: string }[] = await m.query(
      `SELECT ra.org_id, ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id
        WHERE ra.org_id = ANY($1::uuid[]) AND ra.role = 'secretary' AND u.active
          AND ra.revoked_at IS NULL
        ORDER BY ra.org_id, ra.user_id`,
      [orgIds],
    );
    for (const r of rows) out.set(r.org_id, [...(out.get(r.org_id) ?? []), r.user_id]);
    return out;
  }

  /** The circular of an org and quarter, if one was issued. */
  async findIssued(m: EntityManager, orgId: string, quarter: string): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM circulars WHERE org_id = $1 AND quarter = $2`,
      [orgId, quarter],
    );
    return rows[0]?.id ?? null;
  }

  async insert(m: EntityManager, c: NewCircularRecord): Promise<void> {
    await m.query(
      `INSERT INTO circulars (id, org_id, org_path, quarter, title, file_name, content, byte_size,
                              sha256, addressee_org_ids, issued_by, issued_at)
       VALUES ($1, $2, $3::ltree, $4, $5, $6, $7, $8, $9, $10::uuid[], $11, $12)`,
      [
        c.id,
        c.orgId,
        c.orgPath,
        c.quarter,
        c.title,
        c.fileName,
        c.content,
        c.content.length,
        c.sha256,
        c.addresseeOrgIds,
        c.issuedBy,
        c.issuedAt,
      ],
    );
  }

  /** A circular the caller may read, or null. */
  async visible(m: EntityManager, owner: ScopeOwner, id: string): Promise<CircularRecord | null> {
    const rows: CircularRow[] = await m.query(`${SELECT} WHERE c.id = $3 AND ${VISIBLE}`, [
      ...scopeParams(owner),
      id,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The archived bytes of a circular the caller may read, or null. */
  async content(
    m: EntityManager,
    owner: ScopeOwner,
    id: string,
  ): Promise<(CircularRecord & { content: Buffer }) | null> {
    const rows: (CircularRow & { content: Buffer })[] = await m.query(
      `SELECT ${COLUMNS}, c.content ${FROM} WHERE c.id = $3 AND ${VISIBLE}`,
      [...scopeParams(owner), id],
    );
    return rows[0] ? { ...toRecord(rows[0]), content: rows[0].content } : null;
  }

  /**
   * The circulars the caller may read, newest quarter first; with `orgId`, those it issued or
   * that name it (主送).
   */
  async list(
    m: EntityManager,
    owner: ScopeOwner,
    orgId: string | undefined,
    page: PageRequest,
  ): Promise<{ items: CircularRecord[]; total: number }> {
    const where = `${VISIBLE} AND ($3::uuid IS NULL OR c.org_id = $3 OR $3 = ANY(c.addressee_org_ids))`;
    const params = [...scopeParams(owner), orgId ?? null];
    const [{ total }]: { total: number }[] = await m.query(
      `SELECT count(*)::int AS total FROM circulars c WHERE ${where}`,
      params,
    );
    const rows: CircularRow[] = await m.query(
      `${SELECT} WHERE ${where} ORDER BY c.quarter DESC, c.issued_at DESC, c.id
        LIMIT $4 OFFSET $5`,
      [...params, page.pageSize, offsetOf(page)],
    );
    return { items: rows.map(toRecord), total };
  }
}
