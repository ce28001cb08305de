/**
 * What kind of document a file is, decided from its bytes alone: the name and the type the
 * client claims are both under the uploader's control, the magic numbers much less so.
 */

export const EVIDENCE_CONTENT_TYPES = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  // OFD (GB/T 33190): the Chinese standard for electronic documents, e.g. e-invoices.
  ofd: 'application/ofd',
  text: 'text/plain; charset=utf-8',
} as const;

export type EvidenceContentType =
  (typeof EVIDENCE_CONTENT_TYPES)[keyof typeof EVIDENCE_CONTENT_TYPES];

/** For messages: what an uploader may send. */
export const ALLOWED_EVIDENCE_KINDS =
  'PDF, PNG, JPEG, GIF, WebP, Word/Excel/PowerPoint (docx, xlsx, pptx, doc, xls, ppt), OFD, ' +
  'or plain UTF-8 text';

/** A request for bytes the sniffer was not given; only `sniffFile` sees it. */
class MissingBytes {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {}
}

/**
 * A file of known size of which only some ranges are in memory: its first bytes, and whatever
 * the caller fetched when the sniffer asked for more (a ZIP's central directory sits at the
 * end, an OLE2 directory anywhere).
 */
export class PartialFile {
  private readonly ranges: { offset: number; bytes: Buffer }[] = [];

  constructor(
    readonly size: number,
    head: Buffer,
  ) {
    this.add(0, head);
  }

  add(offset: number, bytes: Buffer): void {
    this.ranges.push({ offset, bytes });
  }

  /** The bytes at [offset, offset + length), cut short at the end of the file. */
  read(offset: number, length: number): Buffer {
    const end = Math.min(offset + length, this.size);
    if (offset < 0 || offset >= end) return Buffer.alloc(0);
    for (const r of this.ranges) {
      if (r.offset <= offset && r.offset + r.bytes.length >= end) {
        return r.bytes.subarray(offset - r.offset, end - r.offset);
      }
    }
    throw new MissingBytes(offset, end - offset);
  }
}

export type SniffOutcome =
  | { readonly contentType: EvidenceContentType | null }
  | { readonly missing: { readonly offset: number; readonly length: number } };

export interface SniffFacts {
  /**
   * Whether the whole file is UTF-8 without NUL bytes, when the caller scanned it while
   * receiving it (see Utf8TextScanner). Without it the sniffer reads the whole file itself.
   */
  readonly utf8Text?: boolean;
}

/**
 * The type of a partly read file, or the range it needs next. The caller adds that range
 * and asks again; each answer depends only on the bytes, so this stays a pure function.
 */
export function sniffFile(file: PartialFile, facts: SniffFacts = {}): SniffOutcome {
  try {
    return { contentType: detect(file, facts) };
  } catch (e) {
    if (e instanceof MissingBytes) return { missing: { offset: e.offset, length: e.length } };
    throw e;
  }
}

/**
 * The type of a file held in memory, or null when it is none of the allowed kinds.
 * `head` must be the whole file for ZIP- and OLE2-based documents, whose directories are
 * not at the start; for the other kinds the first few bytes decide.
 */
export function sniffContentType(head: Buffer): EvidenceContentType | null {
  const outcome = sniffFile(new PartialFile(head.length, head));
  return 'contentType' in outcome ? outcome.contentType : null;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const ZIP_LOCAL_FILE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

function startsWith(bytes: Buffer, prefix: Buffer | string, at = 0): boolean {
  const p = typeof prefix === 'string' ? Buffer.from(prefix, 'latin1') : prefix;
  return bytes.length >= at + p.length && bytes.subarray(at, at + p.length).equals(p);
}

function detect(file: PartialFile, facts: SniffFacts): EvidenceContentType | null {
  if (file.size === 0) return null;
  const magic = file.read(0, 16);
  if (startsWith(magic, '%PDF-')) return EVIDENCE_CONTENT_TYPES.pdf;
  if (startsWith(magic, PNG)) return EVIDENCE_CONTENT_TYPES.png;
  if (startsWith(magic, JPEG)) return EVIDENCE_CONTENT_TYPES.jpeg;
  if (startsWith(magic, 'GIF87a') || startsWith(magic, 'GIF89a')) return EVIDENCE_CONTENT_TYPES.gif;
  if (startsWith(magic, 'RIFF') && startsWith(magic, 'WEBP', 8)) return EVIDENCE_CONTENT_TYPES.webp;
  if (startsWith(magic, ZIP_LOCAL_FILE)) return zipDocumentType(file);
  if (startsWith(magic, OLE2)) return oleDocumentType(file);
  const text = facts.utf8Text ?? isUtf8Text(file.read(0, file.size));
  return text ? EVIDENCE_CONTENT_TYPES.text : null;
}

// ---- ZIP: OOXML (docx, xlsx, pptx) and OFD ------------------------------------------------

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;
const EOCD_LENGTH = 22;
const MAX_ZIP_COMMENT = 0xffff;
/** A document's directory is a few KiB; a bigger one is not worth reading to classify. */
const MAX_CENTRAL_DIRECTORY = 1024 * 1024;

/** The entry names of a ZIP archive, from its central directory; null if it has none. */
export function zipEntryNames(file: PartialFile): string[] | null {
  const tailLength = Math.min(file.size, EOCD_LENGTH + MAX_ZIP_COMMENT);
  const tailStart = file.size - tailLength;
  const tail = file.read(tailStart, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_LENGTH; i >= 0; i--) {
    if (
      tail.readUInt32LE(i) === EOCD_SIGNATURE &&
      i + EOCD_LENGTH + tail.readUInt16LE(i + 20) === tail.length
    ) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  // ZIP64 archives mark these fields 0xFFFF/0xFFFFFFFF; documents of our sizes never need it.
  if (entries === 0xffff || cdOffset === 0xffffffff || cdSize > MAX_CENTRAL_DIRECTORY) return null;
  if (cdOffset + cdSize > tailStart + eocd) return null;
  const cd = file.read(cdOffset, cdSize);
  const names: string[] = [];
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_ENTRY_SIGNATURE) return null;
    const utf8 = (cd.readUInt16LE(p + 8) & 0x0800) !== 0;
    const nameLength = cd.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    if (next > cd.length) return null;
    names.push(cd.toString(utf8 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength));
    p = next;
  }
  return names;
}

function zipDocumentType(file: PartialFile): EvidenceContentType | null {
  const names = zipEntryNames(file);
  if (!names) return null;
  // Every OOXML package (OPC) declares its parts' types in [Content_Types].xml.
  if (names.includes('[Content_Types].xml')) {
    if (names.some((n) => n.startsWith('word/'))) return EVIDENCE_CONTENT_TYPES.docx;
    if (names.some((n) => n.startsWith('xl/'))) return EVIDENCE_CONTENT_TYPES.xlsx;
    if (names.some((n) => n.startsWith('ppt/'))) return EVIDENCE_CONTENT_TYPES.pptx;
  }
  if (names.includes('OFD.xml')) return EVIDENCE_CONTENT_TYPES.ofd;
  return null;
}

// ---- OLE2 compound files: legacy Word, Excel and PowerPoint -------------------------------

/** Sector numbers above this mark the end of a chain, a free sector or a FAT/DIFAT sector. */
const OLE_MAX_SECTOR = 0xfffffffa;
const OLE_HEADER_DIFAT_ENTRIES = 109;
/** Enough directory sectors for any real document; also ends a chain that loops. */
const MAX_OLE_DIRECTORY_SECTORS = 256;
const OLE_STREAM = 2;

/** The names of the streams in an OLE2 compound file, from its directory; null if unreadable. */
export function oleStreamNames(file: PartialFile): string[] | null {
  const header = file.read(0, 512);
  if (header.length < 512) return null;
  const sectorShift = header.readUInt16LE(0x1e);
  if (sectorShift !== 9 && sectorShift !== 12) return null;
  const sectorSize = 1 << sectorShift;
  const perSector = sectorSize / 4;
  const sectorOffset = (s: number) => (s + 1) * sectorSize;
  const readSector = (s: number) => {
    const bytes = file.read(sectorOffset(s), sectorSize);
    return bytes.length === sectorSize ? bytes : null;
  };

  const fatSector = (k: number): number | null => {
    if (k < OLE_HEADER_DIFAT_ENTRIES) return header.readUInt32LE(0x4c + 4 * k);
    // Further FAT sector numbers are in a chain of DIFAT sectors, the last entry of each linking on.
    let difat = header.readUInt32LE(0x44);
    let index = k - OLE_HEADER_DIFAT_ENTRIES;
    for (let hops = 0; hops < MAX_OLE_DIRECTORY_SECTORS; hops++) {
      const sector = difat <= OLE_MAX_SECTOR ? readSector(difat) : null;
      if (!sector) return null;
      if (index < perSector - 1) return sector.readUInt32LE(4 * index);
      difat = sector.readUInt32LE(sectorSize - 4);
      index -= perSector - 1;
    }
    return null;
  };

  const nextSector = (s: number): number | null => {
    const fat = fatSector(Math.floor(s / perSector));
    if (fat === null || fat > OLE_MAX_SECTOR) return null;
    const sector = readSector(fat);
    return sector ? sector.readUInt32LE(4 * (s % perSector)) : null;
  };

  const names: string[] = [];
  let s: number | null = header.readUInt32LE(0x30);
  for (let n = 0; s !== null && s <= OLE_MAX_SECTOR; n++) {
    if (n >= MAX_OLE_DIRECTORY_SECTORS) return null;
    const sector = readSector(s);
    if (!sector) return null;
    for (let e = 0; e + 128 <= sectorSize; e += 128) {
      const nameLength = sector.readUInt16LE(e + 64);
      if (sector[e + 66] === OLE_STREAM && nameLength >= 2 && nameLength <= 64) {
        names.push(sector.toString('utf16le', e, e + nameLength - 2));
      }
    }
    s = nextSector(s);
  }
  return names;
}

function oleDocumentType(file: PartialFile): EvidenceContentType | null {
  // Installers (MSI), Outlook messages and the like are OLE2 too: only the Office streams count.
  const names = oleStreamNames(file);
  if (!names) return null;
  if (names.includes('WordDocument')) return EVIDENCE_CONTENT_TYPES.doc;
  if (names.includes('Workbook') || names.includes('Book')) return EVIDENCE_CONTENT_TYPES.xls;
  if (names.includes('PowerPoint Document')) return EVIDENCE_CONTENT_TYPES.ppt;
  return null;
}

// ---- Plain text ---------------------------------------------------------------------------

/** Valid UTF-8 with no NUL byte: what a text file is, as opposed to a binary one. */
export function isUtf8Text(bytes: Buffer): boolean {
  const scanner = new Utf8TextScanner();
  scanner.write(bytes);
  return scanner.end();
}

/** Checks text-ness chunk by chunk while a file streams past, without keeping the chunks. */
export class Utf8TextScanner {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private text = true;

  write(chunk: Buffer): void {
    if (!this.text) return;
    if (chunk.includes(0)) {
      this.text = false;
      return;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.text = false;
    }
  }

  /** Whether everything written was UTF-8 without NUL, a character cut at the end included. */
  end(): boolean {
    if (!this.text) return false;
    try {
      this.decoder.decode();
    } catch {
      this.text = false;
    }
    return this.text;
  }
}
