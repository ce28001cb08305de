import type ExcelJS from 'exceljs';
import { LEDGER_COLUMNS, type LedgerCell } from './ledger-columns';

/**
 * The ledger's data rows as SpreadsheetML, written straight into exceljs's streaming worksheet.
 *
 * exceljs builds a Row, a Cell per value, a model per cell and an XmlStream of ~130 small strings
 * per row before it joins them: a `--cpu-prof` of writing 62,542 rows put over half of the
 * process's busy time in that machinery and the garbage it leaves (BENCHMARKS.md). The ledger's
 * rows are always the same 21 plain cells — text, numbers and dates, no formulas, no rich text —
 * so they are written here as the text exceljs itself writes for such cells: the same elements,
 * attributes, number formatting and escaping, byte for byte (ledger-xlsx-rows.spec.ts renders
 * the same rows through exceljs and compares). The workbook, the styles, the title and header
 * rows, the sheet's settings and the zip stay exceljs's.
 */

/** A column's letters from its 1-based number: 1 → A, 21 → U, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Column letters of the ledger's columns, A…U. */
const LETTERS = LEDGER_COLUMNS.map((_, i) => columnLetter(i + 1));

/** `spans` of a row where every column has a cell (empty text is a cell too). */
const SPANS = `1:${LEDGER_COLUMNS.length}`;

/** What exceljs's xmlEncode does: the five entities, and control characters XML cannot carry dropped. */
// eslint-disable-next-line no-control-regex -- the control characters are what it matches
const XML_UNSAFE = /[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F]/g;
const XML_ENTITIES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};
const xmlText = (text: string): string => text.replace(XML_UNSAFE, (c) => XML_ENTITIES[c] ?? '');

/** A Date's Excel serial number (the 1900 system), as exceljs computes it. */
const excelSerial = (d: Date): number => 25569 + d.getTime() / (24 * 3600 * 1000);

/**
 * The XML of one data row: `rowNumber` is the sheet's row (1-based), `cells` the row's values in
 * LEDGER_COLUMNS order, `styleIds` the style index of each column's cells (the date columns'
 * number formats; undefined for unstyled columns).
 */
export function ledgerRowXml(
  rowNumber: number,
  cells: readonly LedgerCell[],
  styleIds: readonly (number | undefined)[],
): string {
  let xml = `<row r="${rowNumber}" spans="${SPANS}" x14ac:dyDescent="0.25">`;
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i];
    const style = styleIds[i] ? ` s="${styleIds[i]}"` : '';
    const head = `<c r="${LETTERS[i]}${rowNumber}"${style}`;
    if (typeof value === 'string') xml += `${head} t="str"><v>${xmlText(value)}</v></c>`;
    else if (typeof value === 'number') xml += `${head}><v>${value}</v></c>`;
    else xml += `${head}><v>${excelSerial(value)}</v></c>`;
  }
  return `${xml}</row>`;
}

interface MockStyles {
  model: {
    styles: { numFmtId: number; fontId: number; fillId: number; borderId: number; xfId: number }[];
    numFmts: { id: number; formatCode: string }[];
  };
  addStyleModel(model: { numFmt?: string } | undefined, cellType?: number): number;
}

/**
 * exceljs's style-less writer (useStyles: false) still writes a styles part, with one style for
 * every date cell (m/d/yy). This teaches it a style per number format asked for, so the date
 * columns get theirs (yyyy-mm-dd, yyyy-mm-dd hh:mm) while every other cell keeps costing
 * nothing: a map lookup per styled cell instead of the full style machinery for all of them.
 * Returns the style index of a number format (the one exceljs gives the column's cells).
 */
export function dateStylesOnly(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
): (numFmt: string) => number {
  const styles = (workbook as unknown as { styles: MockStyles }).styles;
  const plain = styles.addStyleModel.bind(styles);
  const ids = new Map<string, number>();
  styles.addStyleModel = (model, cellType) => {
    const numFmt = model?.numFmt;
    if (!numFmt) return plain(model, cellType);
    let id = ids.get(numFmt);
    if (id === undefined) {
      const numFmtId = 164 + styles.model.numFmts.length; // ids below 164 are built in
      styles.model.numFmts.push({ id: numFmtId, formatCode: numFmt });
      id = styles.model.styles.length;
      styles.model.styles.push({ numFmtId, fontId: 0, fillId: 0, borderId: 0, xfId: 0 });
      ids.set(numFmt, id);
    }
    return id;
  };
  return (numFmt) => styles.addStyleModel({ numFmt });
}

/**
 * Appends XML to the sheet after the rows exceljs has committed, into the stream its own rows
 * go to (exceljs 4's WorksheetWriter writes each committed row there as a string).
 */
export function sheetXmlWriter(sheet: ExcelJS.Worksheet): (xml: string) => void {
  const stream = (sheet as unknown as { stream: { write(xml: string): unknown } }).stream;
  return (xml) => void stream.write(xml);
}
