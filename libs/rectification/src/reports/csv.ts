/**
 * CSV as RFC 4180 writes it (CRLF, quotes doubled), which is also what Excel reads. Exports
 * start with a UTF-8 byte order mark: without it Excel on Chinese Windows reads the bytes as
 * GBK and shows mojibake.
 */

export const UTF8_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/;
/**
 * Cells that Excel would run as a formula (CSV injection): =, +, -, @ at the start, and tab or
 * carriage return. Prefixed with an apostrophe, which Excel shows as text and hides.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** One record of a CSV file, with the 1-based number a spreadsheet would show as its row. */
export interface CsvRecord {
  row: number;
  cells: string[];
}

/**
 * Parses CSV text: quoted cells may hold commas, quotes ("") and line breaks; records end at
 * CRLF, LF or CR. A quote inside an unquoted cell is kept as text, as Excel does. Throws on an
 * unterminated quoted cell, naming the record where it starts.
 */
export function* parseCsv(text: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let row = 1;
  const n = text.length;
  while (i < n) {
    const cells: string[] = [];
    const startRow = row;
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) {
            throw new CsvSyntaxError(startRow, 'a quoted cell is never closed (a " is missing)');
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          cell += c;
          i++;
        }
        // Anything between the closing quote and the next separator is kept, as Excel does.
        while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') cell += text[i++];
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') cell += text[i++];
      }
      cells.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    row++;
    yield { row: startRow, cells };
  }
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(`row ${row}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * The text of an uploaded CSV file: UTF-8 (with or without BOM), or — when the bytes are not
 * valid UTF-8 — GB18030, the superset of GBK that Excel on Chinese Windows saves CSV in.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}
