import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import {
  LEDGER_COLUMNS,
  LEDGER_NUM_FMTS,
  numFmtOf,
  type LedgerCell,
  type LedgerColumn,
} from './ledger-columns';
import { dateStylesOnly, ledgerRowXml, sheetXmlWriter } from './ledger-xlsx-rows';

const columns = LEDGER_COLUMNS as readonly LedgerColumn[];
const dated = (c: LedgerColumn): boolean => numFmtOf(c) !== undefined;

/**
 * A ledger-shaped workbook whose data rows (from row 3) are written by `writeRows`: the file,
 * and its sheet XML as captured on the way into the zip (exceljs's WorkbookWriter opens one
 * stream per part).
 */
async function ledgerWorkbook(
  writeRows: (
    sheet: ExcelJS.Worksheet,
    styleIds: (number | undefined)[],
    rows: LedgerCell[][],
  ) => void,
  rows: LedgerCell[][],
): Promise<{ file: Buffer; sheetXml: string }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      chunks.push(chunk);
      done();
    },
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useSharedStrings: false,
    useStyles: false,
  });
  const parts: string[] = [];
  const internals = workbook as unknown as {
    _openStream(path: string): { write(data: unknown, ...rest: unknown[]): unknown };
  };
  const open = internals._openStream.bind(workbook);
  internals._openStream = (path) => {
    const stream = open(path);
    if (path.endsWith('sheet1.xml')) {
      const write = stream.write.bind(stream);
      stream.write = (data, ...rest) => {
        parts.push(
          typeof data === 'string'
            ? data
            : (data as { toBuffer(): Buffer }).toBuffer().toString('utf8'),
        );
        return write(data, ...rest);
      };
    }
    return stream;
  };
  const styleIdOf = dateStylesOnly(workbook);
  const sheet = workbook.addWorksheet('台账');
  sheet.columns = columns.map((c) => ({
    key: c.key,
    width: c.width,
    ...(dated(c) ? { style: { numFmt: numFmtOf(c) } } : {}),
  }));
  sheet.addRow(['某县委整改台账']).commit();
  sheet.addRow(columns.map((c) => c.header)).commit();
  writeRows(
    sheet,
    columns.map((c) => (dated(c) ? styleIdOf(numFmtOf(c)!) : undefined)),
    rows,
  );
  sheet.commit();
  await workbook.commit();
  return { file: Buffer.concat(chunks), sheetXml: parts.join('') };
}

/** The rows written by this module's writer. */
const direct = (sheet: ExcelJS.Worksheet, styleIds: (number | undefined)[], rows: LedgerCell[][]) =>
  sheetXmlWriter(sheet)(rows.map((cells, i) => ledgerRowXml(3 + i, cells, styleIds)).join(''));

/** Rows with every kind of cell the ledger writes, and text that needs escaping or cleaning. */
function sampleRows(): LedgerCell[][] {
  const texts = [
    '督查发现问题 1',
    '',
    '三会一课 <不规范> & "记录" 缺\'失\'',
    'A&B&amp;C',
    '多行\n说明\r\n末尾\t制表',
    '控制\u0000字\u0008符\u000b\u000c\u000e\u001f\u007f被去掉',
    '  前后空格  ',
    '=SUM(A1:A2)',
    '𠮷 emoji 😀 and 〇',
  ];
  const dates = [
    new Date('2026-12-31T23:59:00.000Z'),
    new Date('2026-03-01T00:00:00.000Z'),
    new Date('1999-12-31T12:34:00.000Z'),
    new Date('2026-06-05T15:59:59.999Z'),
  ];
  return Array.from({ length: 60 }, (_, r) =>
    columns.map((c, i) => {
      if (c.type === 'number') return r % 3 === 0 ? '' : r * 7 + i;
      if (dated(c)) return r % 4 === 3 ? '' : dates[(r + i) % dates.length];
      return texts[(r + i) % texts.length];
    }),
  );
}

describe('ledgerRowXml: the data rows as exceljs writes them', () => {
  it('writes the same sheet XML, byte for byte, as exceljs’s own rows', async () => {
    const rows = sampleRows();
    const viaExceljs = await ledgerWorkbook((sheet, _styles, data) => {
      for (const cells of data) sheet.addRow(cells).commit();
    }, rows);
    const { sheetXml } = await ledgerWorkbook(direct, rows);
    expect(sheetXml).toBe(viaExceljs.sheetXml);
    // The comparison saw the data: escaped text, dropped control characters, styled dates.
    expect(sheetXml).toContain('&lt;不规范&gt; &amp; &quot;记录&quot; 缺&apos;失&apos;');
    expect(sheetXml).toContain('控制字符被去掉');
    expect(sheetXml).toMatch(/<c r="O3" s="\d+"><v>\d+\.\d+<\/v><\/c>/);
    expect(sheetXml).toContain(`<row r="${2 + rows.length}" `);
  });

  it('is read back by exceljs as the same values, types and date formats', async () => {
    const rows = sampleRows();
    const { file } = await ledgerWorkbook(direct, rows);
    const read = new ExcelJS.Workbook();
    await read.xlsx.load(file as unknown as ExcelJS.Buffer);
    rows.forEach((cells, r) => {
      const row = read.worksheets[0].getRow(3 + r);
      columns.forEach((c, i) => {
        const cell = row.getCell(i + 1);
        const expected = cells[i];
        if (expected instanceof Date) {
          expect(cell.value).toEqual(expected);
          expect(cell.numFmt).toBe(LEDGER_NUM_FMTS[c.type as 'date' | 'dateTime']);
        } else if (typeof expected === 'number') {
          expect(cell.value).toBe(expected);
        } else if (!expected.includes('&amp;')) {
          // Text; control characters are dropped, and line ends read back as \n (any XML
          // parser's normalisation). (exceljs's reader decodes entities twice, so a
          // literal "&amp;" in a cell reads back as "&" — its own rows are written the same way,
          // as the test above shows; Excel and WPS read the text as written.)
          expect(String(cell.value ?? '')).toBe(
            // eslint-disable-next-line no-control-regex -- what the writer drops
            expected.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, '').replace(/\r\n?/g, '\n'),
          );
        }
      });
    });
  });
});
