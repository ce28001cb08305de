/** Longest name kept, in UTF-8 bytes: what most file systems allow for one path segment. */
const MAX_NAME_BYTES = 255;
const MAX_EXTENSION_LENGTH = 16;
const FALLBACK_NAME = 'attachment';

/**
 * The uploader's file name made safe to store and to offer back for download: no directory
 * part, no control or direction-override characters (which can disguise `exe.pdf` as
 * `fdp.exe`), none of the characters Windows refuses, at most 255 bytes with the extension
 * kept. Chinese and other non-Latin names are kept as they are.
 */
export function sanitizeFileName(raw: string): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  if (cleaned === '') return FALLBACK_NAME;
  return truncateKeepingExtension(cleaned);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function truncateKeepingExtension(name: string): string {
  if (utf8Length(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH + 1 ? name.slice(dot) : '';
  const budget = MAX_NAME_BYTES - utf8Length(extension);
  let stem = '';
  // Whole code points only, so a character outside the BMP is never cut in half.
  for (const ch of name.slice(0, name.length - extension.length)) {
    if (utf8Length(stem + ch) > budget) break;
    stem += ch;
  }
  return stem.replace(/[\s.]+$/u, '') + extension;
}

/**
 * The Content-Disposition of a download: always `attachment` (the browser must not render
 * what someone uploaded in our origin), the exact name as RFC 6266 `filename*`, and an ASCII
 * stand-in for clients that only read `filename`.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
