import { buildZip, minimalDocx } from '../../../test/support/zip';
import {
  EVIDENCE_CONTENT_TYPES as T,
  isUtf8Text,
  oleStreamNames,
  PartialFile,
  sniffContentType,
  sniffFile,
  Utf8TextScanner,
  zipEntryNames,
} from './sniff';

const bytes = (...b: number[]) => Buffer.from(b);
const CONTENT_TYPES = { name: '[Content_Types].xml', content: '<Types/>' };

/**
 * An OLE2 compound file (512-byte sectors) holding empty streams with these names. The
 * directory sectors are laid out in reverse, so reading it means following the FAT chain.
 */
function buildOle(streamNames: string[]): Buffer {
  const SECTOR = 512;
  const FREE = 0xffffffff;
  const END_OF_CHAIN = 0xfffffffe;
  const entries = ['Root Entry', ...streamNames];
  const dirSectors = Math.ceil(entries.length / 4);
  // Sector 0 holds the FAT; directory sector i (in chain order) is stored at sector dirSectors - i.
  const at = (i: number) => dirSectors - i;

  const header = Buffer.alloc(SECTOR);
  bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1).copy(header, 0);
  header.writeUInt16LE(0x3e, 0x18);
  header.writeUInt16LE(3, 0x1a);
  header.writeUInt16LE(0xfffe, 0x1c);
  header.writeUInt16LE(9, 0x1e);
  header.writeUInt16LE(6, 0x20);
  header.writeUInt32LE(1, 0x2c);
  header.writeUInt32LE(at(0), 0x30);
  header.writeUInt32LE(4096, 0x38);
  header.writeUInt32LE(END_OF_CHAIN, 0x3c);
  header.writeUInt32LE(END_OF_CHAIN, 0x44);
  for (let k = 0; k < 109; k++) header.writeUInt32LE(k === 0 ? 0 : FREE, 0x4c + 4 * k);

  const fat = Buffer.alloc(SECTOR, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0);
  for (let i = 0; i < dirSectors; i++) {
    fat.writeUInt32LE(i + 1 < dirSectors ? at(i + 1) : END_OF_CHAIN, 4 * at(i));
  }

  const sectors = Array.from({ length: dirSectors }, () => Buffer.alloc(SECTOR));
  entries.forEach((name, n) => {
    const entry = sectors[dirSectors - 1 - Math.floor(n / 4)].subarray((n % 4) * 128);
    const encoded = Buffer.from(`${name}\0`, 'utf16le');
    encoded.copy(entry, 0);
    entry.writeUInt16LE(encoded.length, 64);
    entry[66] = n === 0 ? 5 : 2;
  });
  return Buffer.concat([header, fat, ...sectors]);
}

function minimalPng(): Buffer {
  return Buffer.concat([
    bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    bytes(0, 0, 0, 13),
    Buffer.from('IHDR'),
    bytes(0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0),
  ]);
}

describe('sniffContentType', () => {
  it('recognises PDF and the image formats by their magic numbers', () => {
    expect(sniffContentType(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'))).toBe(T.pdf);
    expect(sniffContentType(minimalPng())).toBe(T.png);
    expect(sniffContentType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46))).toBe(T.jpeg);
    expect(sniffContentType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe(T.gif);
    expect(sniffContentType(Buffer.from('GIF87a\x01\x00\x01\x00', 'latin1'))).toBe(T.gif);
    expect(sniffContentType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe(T.webp);
  });

  it('does not take a magic number that is only nearly right', () => {
    expect(sniffContentType(Buffer.from('%PDF', 'latin1'))).toBe(T.text); // just text
    expect(sniffContentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00))).toBeNull();
    expect(sniffContentType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
  });

  it('tells docx, xlsx and pptx apart by the entries of the central directory', () => {
    expect(sniffContentType(minimalDocx())).toBe(T.docx);
    const xlsx = buildZip([CONTENT_TYPES, { name: 'xl/workbook.xml', content: '<workbook/>' }]);
    expect(sniffContentType(xlsx)).toBe(T.xlsx);
    const pptx = buildZip([CONTENT_TYPES, { name: 'ppt/presentation.xml', content: '<p/>' }]);
    expect(sniffContentType(pptx)).toBe(T.pptx);
  });

  it('recognises OFD by its OFD.xml entry', () => {
    const ofd = buildZip([
      { name: 'OFD.xml', content: '<ofd:OFD/>' },
      { name: 'Doc_0/Document.xml', content: '<ofd:Document/>' },
    ]);
    expect(sniffContentType(ofd)).toBe(T.ofd);
  });

  it('finds the end record of an archive with a comment that looks like a signature', () => {
    const commented = buildZip([CONTENT_TYPES, { name: 'word/document.xml', content: '' }], 'PK');
    expect(sniffContentType(commented)).toBe(T.docx);
  });

  it('refuses other archives and damaged ones', () => {
    expect(sniffContentType(buildZip([{ name: 'setup.exe', content: 'MZ' }]))).toBeNull();
    // word/ without an OPC content-types part is not a document
    expect(sniffContentType(buildZip([{ name: 'word/document.xml', content: '' }]))).toBeNull();
    // an entry named like the marker somewhere else does not count
    expect(sniffContentType(buildZip([{ name: 'x/OFD.xml', content: '' }]))).toBeNull();
    const docx = minimalDocx();
    expect(sniffContentType(docx.subarray(0, docx.length - 30))).toBeNull();
    expect(sniffContentType(docx.subarray(0, 100))).toBeNull();
  });

  it('tells legacy Word, Excel and PowerPoint apart by their OLE2 streams', () => {
    const doc = buildOle(['\x01CompObj', '1Table', 'SummaryInformation', 'Data', 'WordDocument']);
    expect(oleStreamNames(new PartialFile(doc.length, doc))).toContain('WordDocument');
    expect(sniffContentType(doc)).toBe(T.doc);
    expect(sniffContentType(buildOle(['Workbook']))).toBe(T.xls);
    expect(sniffContentType(buildOle(['Book']))).toBe(T.xls);
    expect(sniffContentType(buildOle(['Current User', 'PowerPoint Document']))).toBe(T.ppt);
  });

  it('refuses other OLE2 files, such as installers, and damaged ones', () => {
    expect(sniffContentType(buildOle(['\x05SummaryInformation', '_StringData']))).toBeNull();
    const doc = buildOle(['WordDocument']);
    expect(sniffContentType(doc.subarray(0, 700))).toBeNull();
    const badShift = Buffer.from(doc);
    badShift.writeUInt16LE(7, 0x1e);
    expect(sniffContentType(badShift)).toBeNull();
  });

  it('takes UTF-8 text, Chinese included, and nothing with NUL bytes or invalid sequences', () => {
    expect(sniffContentType(Buffer.from('整改情况说明：已完成。\n'))).toBe(T.text);
    expect(sniffContentType(Buffer.from('\ufeffwith a byte order mark'))).toBe(T.text);
    expect(sniffContentType(Buffer.from('text\0with a NUL'))).toBeNull();
    expect(sniffContentType(bytes(0xb1, 0xe0, 0xc2, 0xeb))).toBeNull(); // 编码 in GBK
    expect(sniffContentType(Buffer.from('整改').subarray(0, 4))).toBeNull(); // cut mid-character
  });

  it('refuses executables and other binaries whatever their name would say', () => {
    expect(
      sniffContentType(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1')),
    ).toBeNull();
    expect(sniffContentType(Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'))).toBeNull();
    expect(sniffContentType(Buffer.alloc(0))).toBeNull();
  });
});

describe('sniffFile on a file read in parts', () => {
  /** What the AttachmentStore does: start from the head, fetch what the sniffer asks for. */
  function sniffFromHead(file: Buffer, headLength: number) {
    const partial = new PartialFile(file.length, file.subarray(0, headLength));
    const requests: { offset: number; length: number }[] = [];
    for (;;) {
      const outcome = sniffFile(partial, { utf8Text: isUtf8Text(file) });
      if ('contentType' in outcome) return { contentType: outcome.contentType, requests };
      const { offset, length } = outcome.missing;
      requests.push({ offset, length });
      partial.add(offset, file.subarray(offset, offset + length));
    }
  }

  it('asks for the end of a ZIP archive, then for its central directory', () => {
    const padding = { name: 'word/media/image1.png', content: Buffer.alloc(100_000, 1) };
    const docx = buildZip([CONTENT_TYPES, padding, { name: 'word/document.xml', content: '' }]);
    const { contentType, requests } = sniffFromHead(docx, 4096);
    expect(contentType).toBe(T.docx);
    expect(requests[0]).toEqual({ offset: docx.length - 65557, length: 65557 });
    expect(requests).toHaveLength(1); // the directory is within the tail already
  });

  it('follows the FAT chain of an OLE2 directory read sector by sector', () => {
    const doc = buildOle(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'WordDocument']);
    const { contentType, requests } = sniffFromHead(doc, 512);
    expect(contentType).toBe(T.doc);
    expect(requests.length).toBeGreaterThan(1);
  });

  it('needs nothing more for the formats that the first bytes decide', () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10_000, 0x20)]);
    expect(sniffFromHead(pdf, 16)).toEqual({ contentType: T.pdf, requests: [] });
  });

  it('trusts the caller on whether the whole file is text', () => {
    const head = Buffer.from('plain text so far');
    const partial = new PartialFile(1_000_000, head);
    expect(sniffFile(partial, { utf8Text: true })).toEqual({ contentType: T.text });
    expect(sniffFile(partial, { utf8Text: false })).toEqual({ contentType: null });
  });
});

describe('zipEntryNames', () => {
  it('lists the entries, decoding UTF-8 names', () => {
    const zip = buildZip([{ name: '附件/说明.txt', content: 'x' }, CONTENT_TYPES]);
    expect(zipEntryNames(new PartialFile(zip.length, zip))).toEqual([
      '附件/说明.txt',
      '[Content_Types].xml',
    ]);
  });
});

describe('Utf8TextScanner', () => {
  it('accepts a character split across chunks', () => {
    const text = Buffer.from('督办');
    const scanner = new Utf8TextScanner();
    scanner.write(text.subarray(0, 2));
    scanner.write(text.subarray(2, 5));
    scanner.write(text.subarray(5));
    expect(scanner.end()).toBe(true);
  });

  it('refuses a stream that ends inside a character or contains NUL later on', () => {
    const cut = new Utf8TextScanner();
    cut.write(Buffer.from('督办').subarray(0, 5));
    expect(cut.end()).toBe(false);
    const nul = new Utf8TextScanner();
    nul.write(Buffer.from('fine so far'));
    nul.write(bytes(0x41, 0x00));
    expect(nul.end()).toBe(false);
  });
});
