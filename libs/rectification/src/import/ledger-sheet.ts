import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { CsvSyntaxError, decodeCsv, parseCsv } from '../reports/csv';
import {
  columnOfHeader,
  LEDGER_COLUMNS,
  type LedgerColumn,
  type LedgerKey,
} from '../reports/ledger-columns';
import {
  ImportFormatError,
  ImportRejectedError,
  type ImportRowError,
  ImportTooLargeError,
} from './import-errors';

/** A data row of an imported ledger: its sheet row number and its cells by column, as text. */
export interface SheetRow {
  row: number;
  cells: Partial<Record<LedgerKey, string>>;
}

export interface LedgerSheet {
  format: 'xlsx' | 'csv';
  headerRow: number;
  /** The ledger columns found, by key (ignored and unknown columns left out). */
  columns: ReadonlySet<LedgerKey>;
  rows: SheetRow[];
}

/** The header may sit below a title line or two (e.g. “2026年第四季度整改台账”). */
const HEADER_SEARCH_ROWS = 10;
const TITLE_HEADER = LEDGER_COLUMNS.find((c) => c.key === 'title')!.header;

/** A row of a sheet as text, with its 1-based row number. */
export type RawRow = { row: number; cells: string[] };

/**
 * The rows of an uploaded sheet (xlsx or csv, told apart by its bytes) as text, for imports of
 * other layouts (the org import); the same reading, cleaning and format errors as the ledger's.
 */
export function readSheetRows(bytes: Buffer): AsyncGenerator<RawRow> {
  return detectFormat(bytes) === 'xlsx' ? xlsxRows(bytes) : csvRows(bytes);
}

/**
 * Reads an uploaded ledger, xlsx or csv (told apart by its bytes, not its name): finds the
 * header row, maps columns by header name (extra columns ignored), and returns the non-empty
 * rows below it as text. Refuses more than `maxRows` data rows as soon as it sees one more.
 */
export async function readLedgerSheet(bytes: Buffer, maxRows: number): Promise<LedgerSheet> {
  const format = detectFormat(bytes);
  const raw = format === 'xlsx' ? xlsxRows(bytes) : csvRows(bytes);
  let header: { row: number; columns: Map<number, LedgerColumn> } | undefined;
  const rows: SheetRow[] = [];
  for await (const r of raw) {
    if (!header) {
      if (r.row > HEADER_SEARCH_ROWS) break;
      if (r.cells.some((c) => columnOfHeader(c)?.key === 'title')) header = headerOf(r);
      continue;
    }
    if (r.cells.every((c) => c === '')) continue;
    if (rows.length === maxRows) throw new ImportTooLargeError(maxRows);
    const cells: SheetRow['cells'] = {};
    for (const [index, column] of header.columns) {
      const text = r.cells[index] ?? '';
      if (text !== '') cells[column.key] = text;
    }
    rows.push({ row: r.row, cells });
  }
  if (!header) {
    throw new ImportRejectedError([
      {
        row: 1,
        field: TITLE_HEADER,
        message: `no header row found in the first ${HEADER_SEARCH_ROWS} rows: the header row names the columns (${LEDGER_COLUMNS.filter(
          (c) => c.import !== 'ignored',
        )
          .map((c) => c.header)
          .join(', ')})`,
      },
    ]);
  }
  if (rows.length === 0) {
    throw new ImportRejectedError([
      {
        row: header.row + 1,
        field: TITLE_HEADER,
        message: 'the file has no rows below the header',
      },
    ]);
  }
  return {
    format,
    headerRow: header.row,
    columns: new Set([...header.columns.values()].map((c) => c.key)),
    rows,
  };
}

function headerOf(r: RawRow): { row: number; columns: Map<number, LedgerColumn> } {
  const columns = new Map<number, LedgerColumn>();
  const seen = new Map<LedgerKey, number>();
  const errors: ImportRowError[] = [];
  r.cells.forEach((text, index) => {
    const column = columnOfHeader(text);
    if (!column || column.import === 'ignored') return;
    if (seen.has(column.key)) {
      errors.push({
        row: r.row,
        field: column.header,
        message: `the column ${column.header} appears twice (columns ${columnLetter(seen.get(column.key)!)} and ${columnLetter(index)}); keep one`,
      });
      return;
    }
    seen.set(column.key, index);
    columns.set(index, column);
  });
  for (const c of LEDGER_COLUMNS) {
    if (c.required && !seen.has(c.key)) {
      errors.push({
        row: r.row,
        field: c.header,
        message: `the column ${c.header} is missing from the header row`,
      });
    }
  }
  if (errors.length) throw new ImportRejectedError(errors);
  return { row: r.row, columns };
}

function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function detectFormat(bytes: Buffer): 'xlsx' | 'csv' {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return 'xlsx';
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xd0cf11e0) {
    throw new ImportFormatError(
      '这是旧版 Excel 97-2003 工作簿（.xls），请另存为 .xlsx（Excel 工作簿）或 .csv（UTF-8）后重新上传 — file: a legacy Excel 97-2003 workbook (.xls); save it as .xlsx or .csv (UTF-8) and upload again',
    );
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new ImportFormatError(
      '这不是台账文件，请上传 .xlsx 工作簿或 .csv 文件 — file: not a ledger; upload an .xlsx workbook or a .csv file',
    );
  }
  return 'csv';
}

/** Text of a cell as the user sees it; NUL (which PostgreSQL cannot store) removed. */
function clean(text: string): string {
  return text.replaceAll('\u0000', '').trim();
}

async function* csvRows(bytes: Buffer): AsyncGenerator<RawRow> {
  try {
    for (const r of parseCsv(decodeCsv(bytes))) {
      // An apostrophe guarding a formula (as our own export writes it) is not part of the text.
      yield { row: r.row, cells: r.cells.map((c) => clean(c.replace(/^'(?=[=+\-@])/, ''))) };
    }
  } catch (e) {
    if (e instanceof CsvSyntaxError) {
      throw new ImportRejectedError([{ row: e.row, field: 'file', message: e.message }]);
    }
    throw e;
  }
}

/** The first worksheet, streamed; its rows as text. Later worksheets are read past, unused. */
async function* xlsxRows(bytes: Buffer): AsyncGenerator<RawRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell a date cell from a number cell.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let first = true;
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        if (!first) continue;
        const values = Array.isArray(row.values) ? row.values : [];
        const cells: string[] = [];
        // exceljs numbers cells from 1.
        for (let i = 1; i < values.length; i++) cells.push(clean(cellText(values[i])));
        yield { row: row.number, cells };
      }
      first = false;
    }
  } catch (e) {
    if (e instanceof ImportTooLargeError || e instanceof ImportRejectedError) throw e;
    throw new ImportFormatError(
      `无法读取该 .xlsx 工作簿，请用 Excel 或 WPS 重新保存后上传 — file: not a readable .xlsx workbook (${(e as Error).message}); save it again from Excel or WPS`,
    );
  }
}

function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    // exceljs reads a date cell as that wall-clock date (and time) at UTC; a time other than
    // midnight (an exact deadline, as the export writes it) is kept as HH:MM.
    if (Number.isNaN(value.getTime())) return '';
    const iso = value.toISOString();
    const time = iso.slice(11, 16);
    return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
  }
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    return cellText((value as { result?: ExcelJS.CellValue }).result);
  }
  if ('hyperlink' in value) return String(value.text ?? '');
  if ('error' in value) return String(value.error);
  return '';
}
