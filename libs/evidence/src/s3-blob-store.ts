import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStore,
  checkContent,
  EvidenceMissingError,
  SHA256_HEX,
} from './blob-store';
import { describeLocation, type StoreLocation } from './store-url';

type S3Location = Extract<StoreLocation, { kind: 's3' }>;

/** Multipart part size of uploads (S3's minimum): what one upload holds in memory at most. */
const PART_BYTES = 5 * 1024 * 1024;

function isNotFound(e: unknown): boolean {
  return (
    e instanceof S3ServiceException &&
    (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
  );
}

/**
 * Evidence content in S3-compatible object storage (DUBAN_ATTACHMENTS_URL=s3://bucket/prefix…):
 * one object per digest, `<prefix>/<sha[0..2]>/<sha>`, uploaded in 5 MiB parts and read as a
 * stream. Credentials come from the URL or from the SDK's standard chain (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE …). The digest is also kept as the object's
 * `x-amz-meta-sha256`. Every api instance pointing at the same bucket sees the same files.
 */
export class S3BlobStore implements BlobStore {
  readonly description: string;
  readonly transactional = false;
  private readonly client: S3Client;

  constructor(private readonly location: S3Location) {
    this.description = describeLocation(location);
    this.client = new S3Client({
      region: location.region,
      forcePathStyle: location.forcePathStyle,
      ...(location.endpoint ? { endpoint: location.endpoint } : {}),
      ...(location.credentials ? { credentials: location.credentials } : {}),
      // Plain bodies: S3-compatible servers (MinIO versions, Ceph, emulators) do not all take
      // the aws-chunked trailing checksums the SDK sends by default; the content is checked
      // against its SHA-256 on every read anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
    const key = `${sha256.slice(0, 2)}/${sha256}`;
    return this.location.prefix ? `${this.location.prefix}/${key}` : key;
  }

  async putFile(blob: BlobInfo, path: string): Promise<'stored' | 'already_stored'> {
    if (await this.stat(blob.sha256)) return 'already_stored';
    await new Upload({
      client: this.client,
      partSize: PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
      params: {
        Bucket: this.location.bucket,
        Key: this.keyOf(blob.sha256),
        Body: createReadStream(path),
        ContentType: 'application/octet-stream',
        Metadata: { sha256: blob.sha256 },
      },
    }).done();
    return 'stored';
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(sha256) }),
      );
      return { sha256, size: Number(head.ContentLength ?? 0) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async check(blob: BlobInfo): Promise<void> {
    await checkContent(await this.readRaw(blob.sha256), blob);
  }

  async readRaw(sha256: string): Promise<Readable> {
    try {
      const got = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(sha256) }),
      );
      return got.Body as Readable;
    } catch (e) {
      if (isNotFound(e)) throw new EvidenceMissingError(sha256, this.description);
      throw e;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    const prefix = this.location.prefix ? `${this.location.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        const name = (o.Key ?? '').split('/').pop() ?? '';
        if (SHA256_HEX.test(name)) yield { sha256: name, size: Number(o.Size ?? 0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
