import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor, EarlierImport } from '#duban/domain';
import { scopeCondition, scopeParams } from '#duban/persistence';

/** One recorded import, as ProblemImportService writes it after the problems are raised. */
export interface ProblemImportRecord {
  id: string;
  raisedByOrgId: string;
  contentSha256: string;
  problemsSha256: string;
  fileName: string | null;
  problems: number;
  tasks: number;
  problemIds: string[];
  forced: boolean;
  importedBy: string;
  importedAt: Date;
}

type Earlier = Omit<EarlierImport, 'match'>;

/** An org a ledger row may name, with its place under the raising org. */
export interface ImportOrgRow {
  id: string;
  name: string;
  path: string;
  time_zone: string;
  /** Names from the raising org down to this one, joined by '/'. */
  trail: string;
}

/** Someone a ledger row may name, with an org they may act for. */
export interface ImportPersonRow {
  org_id: string;
  id: string;
  username: string;
  display_name: string;
}

interface EarlierRow {
  id: string;
  imported_at: Date;
  imported_by: string;
  display_name: string;
  problems: number;
  tasks: number;
}

/**
 * The statements of the ledger import: problem_imports (its only reader and writer), and how
 * the names in a sheet resolve to orgs and people.
 */
@Injectable()
export class ProblemImportsRepository {
  /** One import per raising org at a time, until the transaction ends. */
  async lockRaisingOrg(m: EntityManager, raisedByOrgId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('problem_import:' || $1))`, [
      raisedByOrgId,
    ]);
  }

  /**
   * Orgs carrying one of `names` in the raising org's subtree (path `raisingPath`) and the
   * actor's scope, with their trail of names from the raising org down.
   */
  async orgsNamed(
    m: EntityManager,
    actor: Actor,
    raisingPath: string,
    names: readonly string[],
  ): Promise<ImportOrgRow[]> {
    return m.query(
      `SELECT o.id, o.name, o.path::text AS path, o.time_zone,
              (SELECT string_agg(a.name, '/' ORDER BY nlevel(a.path)) FROM orgs a
                WHERE a.path @> o.path AND a.path <@ $3::ltree) AS trail
         FROM orgs o
        WHERE o.name = ANY($4::text[]) AND o.path <@ $3::ltree
          AND ${scopeCondition('o.path', '$1', '$2')}`,
      [...scopeParams(actor), raisingPath, [...names]],
    );
  }

  /**
   * Active people called one of `texts` (username in any case, or display name): `members` hold
   * a live role in one of `orgIds`; `leaders` in one of them or an org above it, up to the
   * raising org (path `raisingPath`). Each row names the org of `orgIds` it is for.
   */
  async peopleNamed(
    m: EntityManager,
    q: { orgIds: readonly string[]; texts: readonly string[]; raisingPath: string },
  ): Promise<{ members: ImportPersonRow[]; leaders: ImportPersonRow[] }> {
    const params = [[...q.orgIds], q.texts.map((t) => t.toLowerCase()), [...q.texts]];
    const [members, leaders]: ImportPersonRow[][] = await Promise.all([
      m.query(
        `SELECT DISTINCT ra.org_id, u.id, u.username, u.display_name
           FROM role_assignments ra JOIN users u ON u.id = ra.user_id
          WHERE ra.org_id = ANY($1::uuid[]) AND u.active AND ra.revoked_at IS NULL
            AND (lower(u.username) = ANY($2::text[]) OR u.display_name = ANY($3::text[]))`,
        params,
      ),
      m.query(
        `SELECT DISTINCT ro.id AS org_id, u.id, u.username, u.display_name
           FROM orgs ro
           JOIN orgs ao ON ao.path @> ro.path AND ao.path <@ $4::ltree
           JOIN role_assignments ra ON ra.org_id = ao.id AND ra.revoked_at IS NULL
           JOIN users u ON u.id = ra.user_id
          WHERE ro.id = ANY($1::uuid[]) AND u.active
            AND (lower(u.username) = ANY($2::text[]) OR u.display_name = ANY($3::text[]))`,
        [...params, q.raisingPath],
      ),
    ]);
    return { members, leaders };
  }

  /** The latest import for the raising org with these bytes, and the latest with these problems. */
  async findEarlier(
    m: EntityManager,
    raisedByOrgId: string,
    contentSha256: string,
    problemsSha256: string,
  ): Promise<{ sameFile: Earlier | null; sameProblems: Earlier | null }> {
    const find = async (column: 'content_sha256' | 'problems_sha256', hash: string) => {
      const rows: EarlierRow[] = await m.query(
        `SELECT i.id, i.imported_at, i.imported_by, u.display_name, i.problems, i.tasks
           FROM problem_imports i JOIN users u ON u.id = i.imported_by
          WHERE i.raised_by_org_id = $1 AND i.${column} = $2
          ORDER BY i.imported_at DESC, i.id LIMIT 1`,
        [raisedByOrgId, hash],
      );
      const r = rows[0];
      return r
        ? {
            id: r.id,
            importedAt: r.imported_at,
            importedBy: { id: r.imported_by, displayName: r.display_name },
            problems: r.problems,
            tasks: r.tasks,
          }
        : null;
    };
    return {
      sameFile: await find('content_sha256', contentSha256),
      sameProblems: await find('problems_sha256', problemsSha256),
    };
  }

  async insert(m: EntityManager, r: ProblemImportRecord): Promise<void> {
    await m.query(
      `INSERT INTO problem_imports (id, raised_by_org_id, content_sha256, problems_sha256,
              file_name, problems, tasks, problem_ids, forced, imported_by, imported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        r.id,
        r.raisedByOrgId,
        r.contentSha256,
        r.problemsSha256,
        r.fileName,
        r.problems,
        r.tasks,
        r.problemIds,
        r.forced,
        r.importedBy,
        r.importedAt,
      ],
    );
  }
}
