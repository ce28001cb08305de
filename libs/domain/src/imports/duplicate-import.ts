import { createHash } from 'node:crypto';

/** A problem of an import file as the duplicate check compares it (after names are resolved). */
export interface ImportedProblemKey {
  title: string;
  orgId: string;
  campaign?: string | null;
  measures: readonly { measure: string; responsibleOrgId: string }[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The SHA-256 of the uploaded bytes: the very same file. */
export const importContentHash = (bytes: Buffer): string => sha256(bytes);

const squash = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim();

/**
 * The SHA-256 of the problems a file raises, independent of the file: the same titles in the
 * same orgs (and batches) with the same measures for the same responsible orgs, in any row
 * order, with any spacing — a file saved again from Excel, or its CSV twin, is the same import.
 * Deadlines, people and descriptions are left out: a corrected copy of the same list is still
 * the same list, and importing it again would raise every problem twice.
 */
export function importProblemsHash(problems: readonly ImportedProblemKey[]): string {
  const keys = problems
    .map((p) =>
      JSON.stringify([
        squash(p.title),
        p.orgId,
        squash(p.campaign ?? ''),
        p.measures.map((m) => JSON.stringify([squash(m.measure), m.responsibleOrgId])).sort(),
      ]),
    )
    .sort();
  return sha256(JSON.stringify(keys));
}

/** An earlier import the new file repeats, as the 409 points at it. */
export interface EarlierImport {
  id: string;
  importedAt: Date;
  importedBy: { id: string; displayName: string };
  problems: number;
  tasks: number;
  /** Whether the same bytes (`file`) or the same problems from another file (`problems`). */
  match: 'file' | 'problems';
}

/** Which earlier import, if any, a file repeats: the same bytes win over the same problems. */
export function repeatedImport(
  sameFile: Omit<EarlierImport, 'match'> | null,
  sameProblems: Omit<EarlierImport, 'match'> | null,
): EarlierImport | null {
  if (sameFile) return { ...sameFile, match: 'file' };
  if (sameProblems) return { ...sameProblems, match: 'problems' };
  return null;
}

/** The 409's message (zh-CN), naming the earlier import, when and by whom. */
export function duplicateImportMessage(earlier: EarlierImport, timeZoneLabel: string): string {
  const what = earlier.match === 'file' ? '同一文件' : '相同的问题清单';
  return (
    `${what}已于 ${timeZoneLabel} 由 ${earlier.importedBy.displayName} 导入（导入编号 ${earlier.id}，` +
    `${earlier.problems} 个问题、${earlier.tasks} 项整改措施）；如确需再次导入，请加 force=true`
  );
}
