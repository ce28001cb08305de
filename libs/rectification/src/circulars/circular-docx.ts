import {
  AlignmentType,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  TextRun,
} from 'docx';
import type { CircularParagraph, CircularText } from '#duban/domain';

/**
 * Renders the text of a 通报 (libs/domain, buildCircularText) as a .docx laid out after
 * GB/T 9704-2012 (党政机关公文格式), as far as a Word document allows:
 * - A4, margins top 37 mm, bottom 35 mm, left (订口) 28 mm, right 26 mm;
 * - 标题 二号 (22 pt) 方正小标宋简体, centred; 正文 三号 (16 pt) 仿宋_GB2312, first line indented
 *   two characters, exact line spacing 29 pt (22 lines of 28 characters to a page);
 * - 一级标题 黑体, 二级标题 楷体_GB2312 (run in at the start of their paragraph);
 * - 页码 四号 (14 pt) 宋体 as “— 1 —”, odd pages right and even pages left, one character in.
 * The GB fonts are named for East Asian text, with the common Windows fonts (宋体, 仿宋, 楷体) as
 * the Latin faces; the font table names each GB font's fallback (`w:altName`: 方正小标宋简体 →
 * 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体) with its GB2312 charset, for a machine without it.
 */

const PT = 20; // twips per point
/** Millimetres in twips, rounded (A4 is 11906 × 16838). */
const mm = (millimetres: number) => Math.round((millimetres * 1440) / 25.4);
const BODY_SIZE = 16; // 三号
const TITLE_SIZE = 22; // 二号
const PAGE_NUMBER_SIZE = 14; // 四号
const LINE = 29 * PT;

const FONTS = {
  title: { eastAsia: '方正小标宋简体', ascii: '宋体', hAnsi: '宋体' },
  body: { eastAsia: '仿宋_GB2312', ascii: '仿宋', hAnsi: '仿宋' },
  heading1: { eastAsia: '黑体', ascii: '黑体', hAnsi: '黑体' },
  heading2: { eastAsia: '楷体_GB2312', ascii: '楷体', hAnsi: '楷体' },
  pageNumber: { eastAsia: '宋体', ascii: '宋体', hAnsi: '宋体' },
} as const;

type Face = keyof typeof FONTS;

/** word/fontTable.xml: each font used, its fallback (altName), charset (GB2312) and pitch. */
const FONT_TABLE = [
  ['方正小标宋简体', '宋体', 'roman', 'variable'],
  ['宋体', 'SimSun', 'auto', 'variable'],
  ['仿宋_GB2312', '仿宋', 'modern', 'fixed'],
  ['仿宋', 'FangSong', 'modern', 'fixed'],
  ['楷体_GB2312', '楷体', 'modern', 'fixed'],
  ['楷体', 'KaiTi', 'modern', 'fixed'],
  ['黑体', 'SimHei', 'modern', 'fixed'],
] as const;

const fontTable = () =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
  FONT_TABLE.map(
    ([name, alt, family, pitch]) =>
      `<w:font w:name="${name}"><w:altName w:val="${alt}"/><w:charset w:val="86"/>` +
      `<w:family w:val="${family}"/><w:pitch w:val="${pitch}"/></w:font>`,
  ).join('') +
  '</w:fonts>';

const run = (text: string, face: Face = 'body', size = BODY_SIZE) =>
  new TextRun({ text, font: FONTS[face], size: size * 2 });

const exact = { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 };
const blank = () => new Paragraph({ spacing: exact, children: [run('')] });
const indented = { firstLine: 2 * BODY_SIZE * PT };

function bodyParagraph(p: CircularParagraph): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    spacing: exact,
    indent: indented,
    children: p.lead ? [run(p.lead, 'heading2'), run(p.text)] : [run(p.text)],
  });
}

function pageNumberFooter(side: 'odd' | 'even'): Footer {
  const oneChar = PAGE_NUMBER_SIZE * PT;
  return new Footer({
    children: [
      new Paragraph({
        alignment: side === 'odd' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: side === 'odd' ? { right: oneChar } : { left: oneChar },
        children: [
          new TextRun({
            children: ['— ', PageNumber.CURRENT, ' —'],
            font: FONTS.pageNumber,
            size: PAGE_NUMBER_SIZE * 2,
          }),
        ],
      }),
    ],
  });
}

const xmlText = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * docProps/core.xml with the document's own time (the injected clock's, passed in) rather than
 * the wall clock the `docx` package would write.
 */
function coreProperties(c: CircularText, at: Date): string {
  const when = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xmlText(c.title)}</dc:title><dc:creator>${xmlText(c.signature)}</dc:creator>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

/** The .docx of a 通报, made at `at` (its document properties' created/modified time). */
export async function renderCircularDocx(c: CircularText, at: Date): Promise<Buffer> {
  const children: Paragraph[] = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: exact,
      children: [run(c.docNumber)],
    }),
    blank(),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      // The title's lines are a little wider apart than the body's (二号 on 三号 spacing).
      spacing: { line: 35 * PT, lineRule: LineRuleType.EXACT, before: 0, after: 0 },
      children: [run(c.title, 'title', TITLE_SIZE)],
    }),
    blank(),
  ];
  if (c.addressees) {
    children.push(new Paragraph({ spacing: exact, children: [run(c.addressees)] }));
  }
  for (const section of c.sections) {
    children.push(
      new Paragraph({
        spacing: exact,
        indent: indented,
        children: [run(section.heading, 'heading1')],
      }),
      ...section.paragraphs.map(bodyParagraph),
    );
  }
  // 落款 and 成文日期: right, the date two characters further right than the signature.
  const fourChars = 4 * BODY_SIZE * PT;
  const twoChars = 2 * BODY_SIZE * PT;
  children.push(
    blank(),
    blank(),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: exact,
      indent: { right: fourChars },
      children: [run(c.signature)],
    }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: exact,
      indent: { right: twoChars },
      children: [run(c.date)],
    }),
  );

  const doc = new Document({
    title: c.title,
    creator: c.signature,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: { run: { font: FONTS.body, size: BODY_SIZE * 2 } },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: mm(210), height: mm(297) },
            margin: {
              top: mm(37),
              bottom: mm(35),
              left: mm(28),
              right: mm(26),
              // 页码 7 mm below the text block: its line ends about 23 mm above the edge.
              footer: mm(23),
            },
          },
        },
        footers: { default: pageNumberFooter('odd'), even: pageNumberFooter('even') },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc, false, [
    { path: 'docProps/core.xml', data: coreProperties(c, at) },
    { path: 'word/fontTable.xml', data: fontTable() },
  ]);
}

export const DOCX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
