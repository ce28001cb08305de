import { describeLocation, parseStoreLocation } from './store-url';

describe('parseStoreLocation (DUBAN_ATTACHMENTS_URL)', () => {
  it('is the database when unset or postgres:', () => {
    expect(parseStoreLocation(undefined)).toEqual({ kind: 'postgres' });
    expect(parseStoreLocation('')).toEqual({ kind: 'postgres' });
    expect(parseStoreLocation('postgres:')).toEqual({ kind: 'postgres' });
  });

  it('takes the deprecated DUBAN_ATTACHMENTS_DIR only without a URL', () => {
    const resolve = (d: string) => `/opt/duban/${d}`;
    expect(parseStoreLocation(undefined, '.local/attachments', resolve)).toEqual({
      kind: 'file',
      directory: '/opt/duban/.local/attachments',
      deprecatedDir: true,
    });
    expect(parseStoreLocation('postgres:', '.local/attachments', resolve)).toEqual({
      kind: 'postgres',
    });
  });

  it('reads a file:/// URL as an absolute directory', () => {
    expect(parseStoreLocation('file:///var/lib/duban/evidence')).toEqual({
      kind: 'file',
      directory: '/var/lib/duban/evidence',
      deprecatedDir: false,
    });
  });

  it('reads bucket, prefix, endpoint, region, path style and credentials of an s3:// URL', () => {
    expect(
      parseStoreLocation(
        's3://AKID:s%2Fecret@duban-evidence/prod/files/?endpoint=http://127.0.0.1:9000&region=cn-north-1&forcePathStyle=true',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'duban-evidence',
      prefix: 'prod/files',
      endpoint: 'http://127.0.0.1:9000',
      region: 'cn-north-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 's/ecret' },
    });
    expect(parseStoreLocation('s3://bucket')).toEqual({
      kind: 's3',
      bucket: 'bucket',
      prefix: '',
      region: 'us-east-1',
      forcePathStyle: false,
    });
  });

  it('refuses what it cannot use, saying why', () => {
    expect(() => parseStoreLocation('s3://B_ad/x')).toThrow(/not an S3 bucket name/);
    expect(() => parseStoreLocation('s3://bucket/x?endpont=http://x')).toThrow(
      /unknown option endpont/,
    );
    expect(() => parseStoreLocation('s3://bucket?endpoint=127.0.0.1:9000')).toThrow(
      /endpoint must be an http/,
    );
    expect(() => parseStoreLocation('s3://id@bucket')).toThrow(/both the access key id/);
    expect(() => parseStoreLocation('ftp://host/x')).toThrow(/none of postgres:/);
  });

  it('never puts credentials in the description', () => {
    expect(describeLocation(parseStoreLocation('s3://id:secret@bucket/p'))).toBe('s3://bucket/p');
  });
});
