/** Where pictures and capture images live: one interface, a local directory or an S3 bucket behind it. */
export interface ObjectStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** AppError PICTURE_NOT_FOUND when the object is missing. */
  get(key: string): Promise<Buffer>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
  /** AppError STORAGE_UNAVAILABLE when the store does not answer within about 3 s. */
  check(): Promise<void>;
  /** Where it is, e.g. "s3://bucket@http://127.0.0.1:9000"; never a secret. */
  describe(): string;
  /** Releases sockets/handles; the store is not used afterwards. */
  close?(): Promise<void>;
}

export type StorageConfig =
  | { kind: 'local'; dir: string }
  | {
      kind: 's3';
      endpoint: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      /** default DEFAULT_S3_REGION */
      region?: string;
      /** default true: MinIO and most self-hosted servers want path-style URLs */
      forcePathStyle?: boolean;
      /** resolves the endpoint's names for every connection (an address policy's lookup); default dns.lookup */
      lookup?: import('node:net').LookupFunction;
    };

/** Time limit of check(). */
export const CHECK_TIMEOUT_MS = 3000;
/** Time limit of one put/get/delete (a 10 MB upload on a slow link still fits). */
export const OPERATION_TIMEOUT_MS = 15_000;

/** The region an S3 client signs for when none is configured (what MinIO and s3rver expect). */
export const DEFAULT_S3_REGION = 'us-east-1';
