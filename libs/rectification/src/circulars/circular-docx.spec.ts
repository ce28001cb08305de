import { buildCircularText, type CircularFacts, circularPlainText } from '#duban/domain';
import { paragraphsOf, readDocx } from '../../../../test/support/docx-files';
import { renderCircularDocx } from './circular-docx';

const tally = (orgName: string) => ({
  orgName,
  total: 2,
  closed: 1,
  dueInQuarter: 1,
  closedOnTime: 1,
  onTimeRate: 1,
  overdue: 0,
  escalations: [],
  recurringProblems: 0,
});

const FACTS: CircularFacts = {
  orgName: '某某县委',
  quarter: '2026Q4',
  issuedOn: '2026-12-01',
  addressees: ['第一党总支'],
  totals: tally('某某县委'),
  children: [tally('第一党总支')],
  issues: [],
  worstOnTime: [],
};

describe('renderCircularDocx', () => {
  const text = buildCircularText(FACTS);
  let doc: ReturnType<typeof readDocx>;
  beforeAll(async () => {
    doc = readDocx(await renderCircularDocx(text, new Date('2026-12-01T02:30:00.000Z')));
  });

  it('is a Word document whose paragraphs are the text of the 通报, in order', () => {
    expect(doc.paragraphs).toEqual(circularPlainText(text).split('\n'));
  });

  it('is laid out after GB/T 9704: A4, 37/35/28/26 mm margins, the official fonts and sizes', () => {
    const xml = doc.documentXml;
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toMatch(/w:top="2098"/); // 37 mm
    expect(xml).toMatch(/w:bottom="1984"/); // 35 mm
    expect(xml).toMatch(/w:left="1587"/); // 28 mm
    expect(xml).toMatch(/w:right="1474"/); // 26 mm
    // 标题 二号 方正小标宋简体; 正文 三号 仿宋_GB2312 on exact 29 pt lines; 黑体 and 楷体 headings.
    expect(xml).toMatch(
      /w:eastAsia="方正小标宋简体"[^]*?<w:sz w:val="44"\/>[^]*?关于2026年第四季度/,
    );
    expect(xml).toContain('w:eastAsia="仿宋_GB2312"');
    expect(xml).toMatch(/w:eastAsia="黑体"[^]*?一、总体情况/);
    expect(xml).toMatch(/w:eastAsia="楷体_GB2312"[^]*?（一）第一党总支。/);
    expect(xml).toContain('w:line="580" w:lineRule="exact"');
    expect(xml).toContain('<w:sz w:val="32"/>');
  });

  it('names a fallback for each GB font in its font table (方正小标宋简体 → 宋体, …)', () => {
    const fonts = doc.parts.get('word/fontTable.xml')!.toString('utf8');
    for (const [name, alt] of [
      ['方正小标宋简体', '宋体'],
      ['仿宋_GB2312', '仿宋'],
      ['楷体_GB2312', '楷体'],
    ]) {
      expect(fonts).toContain(`<w:font w:name="${name}"><w:altName w:val="${alt}"/>`);
    }
    // Every font the document uses is in the table.
    const used = new Set(
      [...doc.documentXml.matchAll(/w:(?:eastAsia|ascii)="([^"]+)"/g)].map((m) => m[1]),
    );
    for (const f of used) expect(fonts).toContain(`w:name="${f}"`);
  });

  it('carries its title, issuer and time of making (not the wall clock) in its properties', () => {
    const core = doc.parts.get('docProps/core.xml')!.toString('utf8');
    expect(core).toContain('<dc:title>关于2026年第四季度整改督办情况的通报</dc:title>');
    expect(core).toContain('<dc:creator>某某县委</dc:creator>');
    expect(core).toContain(
      '<dcterms:created xsi:type="dcterms:W3CDTF">2026-12-01T02:30:00Z</dcterms:created>',
    );
  });

  it('numbers pages “— 1 —”, odd pages right and even pages left', () => {
    const footers = [...doc.parts]
      .filter(([name]) => /^word\/footer\d+\.xml$/.test(name))
      .map(([, b]) => b.toString('utf8'));
    expect(footers).toHaveLength(2);
    for (const f of footers) {
      expect(f).toContain('PAGE');
      expect(paragraphsOf(f).join('')).toMatch(/^— .*—$/);
    }
    expect(footers.some((f) => f.includes('<w:jc w:val="right"/>'))).toBe(true);
    expect(footers.some((f) => f.includes('<w:jc w:val="left"/>'))).toBe(true);
    const settings = doc.parts.get('word/settings.xml')!.toString('utf8');
    expect(settings).toContain('<w:evenAndOddHeaders');
  });
});
