import { fileURLToPath } from 'node:url';

/** Where evidence content is kept, as DUBAN_ATTACHMENTS_URL (or the deprecated DUBAN_ATTACHMENTS_DIR) says. */
export type StoreLocation =
  | { kind: 'postgres' }
  | { kind: 'file'; directory: string; deprecatedDir: boolean }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix without leading or trailing slash; '' for the bucket's root. */
      prefix: string;
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
      /** From the URL's user:password, else the SDK's standard chain (AWS_ACCESS_KEY_ID …). */
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

const S3_OPTIONS = ['endpoint', 'region', 'forcePathStyle'];

/**
 * Reads DUBAN_ATTACHMENTS_URL: unset or `postgres:` is the service's own database;
 * `s3://[key:secret@]bucket[/prefix][?endpoint=…&region=…&forcePathStyle=true]`;
 * `file:///absolute/dir`. Without a URL, a DUBAN_ATTACHMENTS_DIR (deprecated) means a file
 * store there, `resolveDir` making a relative one absolute.
 */
export function parseStoreLocation(
  url: string | undefined,
  deprecatedDir?: string,
  resolveDir: (dir: string) => string = (dir) => dir,
): StoreLocation {
  if (url === undefined || url === '') {
    if (deprecatedDir) {
      return { kind: 'file', directory: resolveDir(deprecatedDir), deprecatedDir: true };
    }
    return { kind: 'postgres' };
  }
  if (url === 'postgres:' || url === 'postgresql:') return { kind: 'postgres' };
  if (url.startsWith('file:')) {
    let directory: string;
    try {
      directory = fileURLToPath(url);
    } catch (e) {
      throw new Error(
        `DUBAN_ATTACHMENTS_URL: ${url} is not a file:///absolute/path URL (${(e as Error).message})`,
        { cause: e },
      );
    }
    return { kind: 'file', directory, deprecatedDir: false };
  }
  if (url.startsWith('s3://')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch (e) {
      throw new Error(`DUBAN_ATTACHMENTS_URL: ${url} is not a valid URL`, { cause: e });
    }
    const bucket = u.hostname;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new Error(
        `DUBAN_ATTACHMENTS_URL: "${bucket}" is not an S3 bucket name (3-63 of a-z 0-9 . -)`,
      );
    }
    const unknown = [...u.searchParams.keys()].filter((k) => !S3_OPTIONS.includes(k));
    if (unknown.length > 0) {
      throw new Error(
        `DUBAN_ATTACHMENTS_URL: unknown option ${unknown.join(', ')}; known are ${S3_OPTIONS.join(', ')}`,
      );
    }
    const endpoint = u.searchParams.get('endpoint') ?? undefined;
    if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
      throw new Error(`DUBAN_ATTACHMENTS_URL: endpoint must be an http(s) URL, got "${endpoint}"`);
    }
    const style = u.searchParams.get('forcePathStyle');
    if (style !== null && style !== 'true' && style !== 'false') {
      throw new Error('DUBAN_ATTACHMENTS_URL: forcePathStyle must be true or false');
    }
    const accessKeyId = decodeURIComponent(u.username);
    const secretAccessKey = decodeURIComponent(u.password);
    if ((accessKeyId === '') !== (secretAccessKey === '')) {
      throw new Error(
        'DUBAN_ATTACHMENTS_URL: give both the access key id and the secret (s3://id:secret@bucket), or neither',
      );
    }
    return {
      kind: 's3',
      bucket,
      prefix: decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, ''),
      ...(endpoint !== undefined ? { endpoint } : {}),
      region: u.searchParams.get('region') ?? 'us-east-1',
      forcePathStyle: style === 'true',
      ...(accessKeyId ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    };
  }
  throw new Error(
    `DUBAN_ATTACHMENTS_URL: ${url} is none of postgres:, s3://bucket/prefix, file:///directory`,
  );
}

/** The location for logs: no credentials. */
export function describeLocation(location: StoreLocation): string {
  switch (location.kind) {
    case 'postgres':
      return 'postgres:';
    case 'file':
      return `file://${location.directory}`;
    case 's3':
      return `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
  }
}
