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
 * The GB fonts are named for East Asian text, with the common Windows fonts (宋体, 仿宋, 楷体)
 * as the Latin/fallback faces; Word substitutes a font the reader's machine lacks.
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

/** The .docx of a 通报. */
export async function renderCircularDocx(c: CircularText): Promise<Buffer> {
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
  return Packer.toBuffer(doc);
}

export const DOCX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
