import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EarlierImport } from '#duban/domain';

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

interface EarlierRow {
  id: string;
  imported_at: Date;
  imported_by: string;
  display_name: string;
  problems: number;
  tasks: number;
}

/** problem_imports: the only reader and writer of the table. */
@Injectable()
export class ProblemImportsRepository {
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
