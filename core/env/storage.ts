/**
 * The object store's settings: S3_* for an S3-compatible bucket, else a directory under DATA_DIR.
 * Shared by the API host and the stream node (which needs the bucket when it runs on NATS).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_S3_REGION, type StorageConfig } from '../storage/types.ts';
import { bool, ConfigError, optionalString } from './parse.ts';

export const StorageEnv = z.object({
  /** where embedded data lives (database, objects) */
  DATA_DIR: z.string().default('./data'),
  S3_ENDPOINT: optionalString,
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_REGION: z.string().default(DEFAULT_S3_REGION),
  S3_FORCE_PATH_STYLE: bool.default(true),
});
export type StorageEnv = z.infer<typeof StorageEnv>;

/** The four S3 variables come together or not at all. */
export function checkStorageEnv(cfg: StorageEnv): void {
  const s3 = [cfg.S3_ENDPOINT, cfg.S3_BUCKET, cfg.S3_ACCESS_KEY_ID, cfg.S3_SECRET_ACCESS_KEY];
  if (s3.some(Boolean) && !s3.every(Boolean)) {
    throw new ConfigError('bad environment: S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
}

/** S3 when S3_* are set, else `<dataDir>/objects`. */
export function storageConfigOf(cfg: StorageEnv, dataDir: string): StorageConfig {
  return cfg.S3_ENDPOINT
    ? {
        kind: 's3', endpoint: cfg.S3_ENDPOINT, bucket: cfg.S3_BUCKET!, accessKeyId: cfg.S3_ACCESS_KEY_ID!, secretAccessKey: cfg.S3_SECRET_ACCESS_KEY!,
        region: cfg.S3_REGION, forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
      }
    : { kind: 'local', dir: join(dataDir, 'objects') };
}
