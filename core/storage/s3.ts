import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AppError, isAppError } from '../errors.ts';
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
      requestHandler: {
        connectionTimeout: 2000, requestTimeout: OPERATION_TIMEOUT_MS,
        // every connection's address goes through the policy's lookup when there is one
        ...(cfg.lookup ? { httpAgent: new HttpAgent({ keepAlive: true, lookup: cfg.lookup }), httpsAgent: new HttpsAgent({ keepAlive: true, lookup: cfg.lookup }) } : {}),
      },
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
    await this.call('check', CHECK_TIMEOUT_MS, async (abortSignal) => {
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

  /**
   * Runs one SDK call with a deadline; anything but our own AppErrors becomes STORAGE_UNAVAILABLE
   * naming the failure class only: the server's answer and our own paths stay out of the message.
   */
  private async call<T>(what: string, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(ms, what, work);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('STORAGE_UNAVAILABLE', `${what.split(' ')[0]} failed: the object store ${storageFailure(e)}`, { cause: e });
    }
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
const CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken']);

/** What went wrong, as a class: "timed out", "is unreachable", "refused the credentials", "is at an address outside the allowed ranges", "did not answer as an S3 server". */
export function storageFailure(e: unknown): string {
  for (let cur = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined, i = 0; cur && typeof cur === 'object' && i < 6; cur = cur.cause as typeof cur, i++) {
    if (isAppError(cur) && cur.kind === 'ADDRESS_NOT_ALLOWED') return 'is at an address outside the allowed ranges';
    if (cur.name === 'AbortError' || cur.name === 'TimeoutError' || cur.code === 'ETIMEDOUT') return 'timed out';
    if (cur.code && UNREACHABLE.has(cur.code)) return 'is unreachable';
    if ((cur.name && CREDENTIALS.has(cur.name)) || cur.$metadata?.httpStatusCode === 403) return 'refused the credentials';
  }
  return 'did not answer as an S3 server';
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.name === 'NoSuchBucket' || err.$metadata?.httpStatusCode === 404;
}
