import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../errors.ts';
import { normalizeKey, withDeadline } from './keys.ts';
import { CHECK_TIMEOUT_MS, DEFAULT_S3_REGION, OPERATION_TIMEOUT_MS, type ObjectStore, type StorageConfig } from './types.ts';

type S3Config = Extract<StorageConfig, { kind: 's3' }>;

/**
 * Objects in an S3-compatible bucket (MinIO, Ceph, AWS, s3rver in tests).
 *
 * check() creates the bucket when it does not exist: pointing the server at a fresh MinIO should
 * just work, as an operator expects. put/get/delete never create it (a bucket that vanishes later is
 * an outage to report, not to paper over).
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;

  constructor(private readonly cfg: S3Config) {
    this.client = new S3Client({
      endpoint: cfg.endpoint,
      region: cfg.region ?? DEFAULT_S3_REGION,
      forcePathStyle: cfg.forcePathStyle ?? true,
      credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
      // Recent SDKs add CRC32 checksums (and aws-chunked bodies) by default; MinIO before 2024 and
      // s3rver reject or mangle those. Only send them where an operation requires one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 2000, requestTimeout: OPERATION_TIMEOUT_MS },
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const Key = normalizeKey(key);
    await this.call(`put ${Key}`, OPERATION_TIMEOUT_MS, (abortSignal) =>
      this.client.send(new PutObjectCommand({ Bucket: this.cfg.bucket, Key, Body: body, ContentType: contentType }), { abortSignal }));
  }

  async get(key: string): Promise<Buffer> {
    const Key = normalizeKey(key);
    return this.call(`get ${Key}`, OPERATION_TIMEOUT_MS, async (abortSignal) => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.cfg.bucket, Key }), { abortSignal });
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (e) {
        // a missing bucket is an outage to report, not a missing picture
        if (isNotFound(e) && (e as Error).name !== 'NoSuchBucket') throw new AppError('PICTURE_NOT_FOUND');
        throw e;
      }
    });
  }

  async delete(key: string): Promise<void> {
    const Key = normalizeKey(key);
    await this.call(`delete ${Key}`, OPERATION_TIMEOUT_MS, async (abortSignal) => {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucket, Key }), { abortSignal });
      } catch (e) {
        if (!isNotFound(e)) throw e; // some servers answer 404 for a missing key: already gone
      }
    });
  }

  async check(): Promise<void> {
    const Bucket = this.cfg.bucket;
    await this.call(this.describe(), CHECK_TIMEOUT_MS, async (abortSignal) => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket }), { abortSignal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await this.client.send(new CreateBucketCommand({ Bucket }), { abortSignal });
      }
    });
  }

  describe(): string {
    return `s3://${this.cfg.bucket}@${this.cfg.endpoint}`;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Runs one SDK call with a deadline; anything but our own AppErrors becomes STORAGE_UNAVAILABLE. */
  private async call<T>(what: string, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(ms, what, work);
    } catch (e) {
      if (e instanceof AppError) throw e;
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const reason = (e as Error).name === 'AbortError' ? 'timed out' : `${(e as Error).name}${status ? ` (HTTP ${status})` : ''}: ${(e as Error).message}`;
      throw new AppError('STORAGE_UNAVAILABLE', `${what} failed: ${reason}`, { cause: e });
    }
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.name === 'NoSuchBucket' || err.$metadata?.httpStatusCode === 404;
}
