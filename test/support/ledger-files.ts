import ExcelJS from 'exceljs';
import type { Response } from 'superagent';

type Cell = string | number | Date | null;

/** For supertest: collect a binary response body as a Buffer. */
export function binaryParser(
  res: Response,
  callback: (err: Error | null, body: Buffer) => void,
): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
  stream.on('error', (e: Error) => callback(e, Buffer.alloc(0)));
}

/** The first worksheet of an xlsx file, read with exceljs (cell types, print setup…). */
export async function readXlsxSheet(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return workbook.worksheets[0];
}

/**
 * Every row of the first worksheet of an xlsx file, as text, read with exceljs. A date cell
 * reads as YYYY-MM-DD, with HH:MM when its time is not midnight (as the CSV ledger writes it).
 */
export async function readXlsx(bytes: Buffer): Promise<string[][]> {
  const sheet = await readXlsxSheet(bytes);
  const rows: string[][] = [];
  const text = (v: ExcelJS.CellValue | undefined): string => {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) {
      const iso = v.toISOString();
      const time = iso.slice(11, 16);
      return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
    }
    return String(v);
  };
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    // row.values is sparse (empty cells are holes) and numbered from 1.
    const values = Array.from(row.values as ExcelJS.CellValue[]).slice(1);
    rows[n - 1] = values.map(text);
  });
  const width = Math.max(...rows.map((r) => r.length));
  return rows.map((r) => [...r, ...Array(width - r.length).fill('')]);
}

/** An xlsx workbook with one sheet holding `rows` (the first is the header). */
export async function buildXlsx(rows: Cell[][], sheetName = 'Sheet1'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** CSV text as Excel writes it (CRLF, quotes where needed), with a UTF-8 BOM unless told not to. */
export function buildCsv(rows: Cell[][], bom = true): Buffer {
  const cell = (v: Cell) => {
    const s = v === null ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]);
}
