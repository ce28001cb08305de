import { readZip } from './zip';

export interface DocxContent {
  /** Every part of the package, by name. */
  parts: Map<string, Buffer>;
  /** word/document.xml as text. */
  documentXml: string;
  /** The text of each paragraph of the body, in order (empty paragraphs left out). */
  paragraphs: string[];
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The text of each w:p of a WordprocessingML part. */
export function paragraphsOf(xml: string): string[] {
  const paragraphs: string[] = [];
  for (const p of xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []) {
    const text = [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decode(m[1]));
    if (text.join('') !== '') paragraphs.push(text.join(''));
  }
  return paragraphs;
}

/** Opens a .docx as Word would: a ZIP package whose main part is word/document.xml. */
export function readDocx(bytes: Buffer): DocxContent {
  const parts = readZip(bytes);
  const types = parts.get('[Content_Types].xml')?.toString('utf8') ?? '';
  if (!types.includes('wordprocessingml.document.main+xml')) {
    throw new Error('not a Word document: no main document part in [Content_Types].xml');
  }
  const documentXml = parts.get('word/document.xml')?.toString('utf8');
  if (!documentXml) throw new Error('not a Word document: word/document.xml is missing');
  return { parts, documentXml, paragraphs: paragraphsOf(documentXml) };
}
