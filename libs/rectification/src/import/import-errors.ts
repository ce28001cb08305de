import type { EarlierImport } from '#duban/domain';
import { DomainError, localize } from '#duban/domain';

/** One thing wrong with one cell (or row) of an imported ledger. */
export interface ImportRowError {
  /** The 1-based row number as the spreadsheet shows it. */
  row: number;
  /** The header of the column to fix, e.g. 责任人. */
  field: string;
  message: string;
}

/**
 * The file was read and checked, and at least one row is wrong: nothing was imported. Carries
 * every problem found, so the user can fix the whole file in one go. A 400.
 */
export class ImportRejectedError extends DomainError {
  constructor(readonly rows: readonly ImportRowError[]) {
    super(
      'invalid',
      `文件中有 ${rows.length} 处错误（见 rows），未导入任何内容。第一处：第 ${rows[0]?.row} 行，${rows[0]?.field}：${localize(rows[0]?.message ?? '', 'zh')} — ` +
        `${rows.length} problem${rows.length === 1 ? '' : 's'} in the file, listed in rows; nothing was imported. ` +
        `First: row ${rows[0]?.row}, ${rows[0]?.field}: ${localize(rows[0]?.message ?? '', 'en')}`,
    );
    this.name = 'ImportRejectedError';
  }
}

/** More rows than one import takes. A 413. */
export class ImportTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(
      `文件超过 ${limit} 行数据，一次至多导入 ${limit} 行，请拆分文件 — file: more than ${limit} data rows; one import takes at most ${limit}; split the file`,
    );
    this.name = 'ImportTooLargeError';
  }
}

/** Not a file the import can read (e.g. a legacy .xls). A 415. */
export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

/** The file was imported before (same bytes, or the same problems) and force was not asked. A 409. */
export class DuplicateImportError extends DomainError {
  constructor(
    message: string,
    readonly earlier: EarlierImport,
  ) {
    super('conflict', message, 'file', undefined, 'duplicate_import');
    this.name = 'DuplicateImportError';
  }
}
