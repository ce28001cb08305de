import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import {
  LEDGER_COLUMNS,
  LEDGER_NUM_FMTS,
  type LedgerCell,
  type LedgerColumn,
} from './ledger-columns';
import { dateStylesOnly, ledgerRowXml, sheetXmlWriter } from './ledger-xlsx-rows';

const columns = LEDGER_COLUMNS as readonly LedgerColumn[];
const dated = (c: LedgerColumn): c is LedgerColumn & { type: 'date' | 'dateTime' } =>
  c.type === 'date' || c.type === 'dateTime';

/**
 * The sheet XML of a ledger-shaped workbook whose data rows are written by `writeRows`, captured
 * on its way into the zip (exceljs's WorkbookWriter opens one stream per part).
 */
async function sheetXml(
  writeRows: (
    sheet: ExcelJS.Worksheet,
    styleIds: (number | undefined)[],
    rows: LedgerCell[][],
  ) => void,
  rows: LedgerCell[][],
): Promise<string> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
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
    ...(dated(c) ? { style: { numFmt: LEDGER_NUM_FMTS[c.type] } } : {}),
  }));
  sheet.addRow(['某县委整改台账']).commit();
  sheet.addRow(columns.map((c) => c.header)).commit();
  writeRows(
    sheet,
    columns.map((c) => (dated(c) ? styleIdOf(LEDGER_NUM_FMTS[c.type]) : undefined)),
    rows,
  );
  sheet.commit();
  await workbook.commit();
  return parts.join('');
}

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
    const viaExceljs = await sheetXml((sheet, _styles, data) => {
      for (const cells of data) sheet.addRow(cells).commit();
    }, rows);
    const direct = await sheetXml((sheet, styleIds, data) => {
      const write = sheetXmlWriter(sheet);
      write(data.map((cells, i) => ledgerRowXml(3 + i, cells, styleIds)).join(''));
    }, rows);
    expect(direct).toBe(viaExceljs);
    // The comparison saw the data: escaped text, dropped control characters, styled dates.
    expect(direct).toContain('&lt;不规范&gt; &amp; &quot;记录&quot; 缺&apos;失&apos;');
    expect(direct).toContain('控制字符被去掉');
    expect(direct).toMatch(/<c r="O3" s="\d+"><v>\d+\.\d+<\/v><\/c>/);
    expect(direct).toContain(`<row r="${2 + rows.length}" `);
  });

  it('is read back by exceljs as the same values, types and date formats', async () => {
    const cells = sampleRows()[5];
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
    const styleIdOf = dateStylesOnly(workbook);
    const sheet = workbook.addWorksheet('台账');
    sheet.columns = columns.map((c) => ({
      key: c.key,
      ...(dated(c) ? { style: { numFmt: LEDGER_NUM_FMTS[c.type] } } : {}),
    }));
    sheet.addRow(['标题']).commit();
    const styleIds = columns.map((c) =>
      dated(c) ? styleIdOf(LEDGER_NUM_FMTS[c.type]) : undefined,
    );
    sheetXmlWriter(sheet)(ledgerRowXml(2, cells, styleIds));
    sheet.commit();
    await workbook.commit();

    const read = new ExcelJS.Workbook();
    await read.xlsx.load(Buffer.concat(chunks) as unknown as ExcelJS.Buffer);
    const row = read.worksheets[0].getRow(2);
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
