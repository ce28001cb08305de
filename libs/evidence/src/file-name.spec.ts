import { contentDisposition, sanitizeFileName } from './file-name';

describe('sanitizeFileName', () => {
  it('keeps Chinese names as they are', () => {
    expect(sanitizeFileName('整改报告（第一季度）.pdf')).toBe('整改报告（第一季度）.pdf');
  });

  it('drops any directory part', () => {
    expect(sanitizeFileName('C:\\Users\\张三\\Desktop\\报告.docx')).toBe('报告.docx');
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
  });

  it('removes control and direction-override characters that disguise the extension', () => {
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFileName('a\r\nb\u0000.txt')).toBe('ab.txt');
  });

  it('replaces characters Windows refuses and tidies spaces and dots at the ends', () => {
    expect(sanitizeFileName(' report: "final" <v2>?.pdf ')).toBe('report_ _final_ _v2__.pdf');
    expect(sanitizeFileName('..hidden.')).toBe('hidden');
  });

  it('names a file that has no usable name "attachment"', () => {
    expect(sanitizeFileName('')).toBe('attachment');
    expect(sanitizeFileName('..')).toBe('attachment');
    expect(sanitizeFileName('dir/')).toBe('attachment');
  });

  it('shortens a long name to 255 UTF-8 bytes, keeping the extension and whole characters', () => {
    const name = sanitizeFileName(`${'督'.repeat(200)}.xlsx`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name).toBe(`${'督'.repeat(83)}.xlsx`);
    const emoji = sanitizeFileName(`${'😀'.repeat(100)}`);
    expect(Buffer.byteLength(emoji)).toBe(252);
    expect(emoji).toBe('😀'.repeat(63));
  });
});

describe('contentDisposition', () => {
  it('offers the exact UTF-8 name as filename* and an ASCII stand-in as filename', () => {
    expect(contentDisposition('整改报告.pdf')).toBe(
      'attachment; filename="____.pdf"; filename*=UTF-8\'\'%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf',
    );
  });

  it('escapes what would end the quoted string or the parameter', () => {
    expect(contentDisposition(`it's (1) "x".txt`)).toBe(
      `attachment; filename="it's (1) _x_.txt"; filename*=UTF-8''it%27s%20%281%29%20%22x%22.txt`,
    );
  });
});
