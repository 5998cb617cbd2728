/**
 * The object store for person pictures and capture images: a local directory (embedded default) or
 * an S3-compatible bucket, behind one interface. Only this folder imports the S3 SDK.
 */
import { join } from 'node:path';
import { LocalObjectStore } from './local.ts';
import { S3ObjectStore } from './s3.ts';
import type { ObjectStore, StorageConfig } from './types.ts';

export type { ObjectStore, StorageConfig } from './types.ts';
export { CHECK_TIMEOUT_MS, OPERATION_TIMEOUT_MS } from './types.ts';
export { SwitchableObjectStore } from './switchable.ts';
export { normalizeKey } from './keys.ts';
export { LocalObjectStore, S3ObjectStore };

export function createObjectStore(cfg: StorageConfig): ObjectStore {
  return cfg.kind === 'local' ? new LocalObjectStore(cfg.dir) : new S3ObjectStore(cfg);
}

/** The host's store from its parsed environment: S3 when S3_ENDPOINT is set, else `<DATA_DIR>/objects`. */
export function storageConfigFromEnv(env: {
  dataDir: string; S3_ENDPOINT?: string; S3_BUCKET?: string; S3_ACCESS_KEY_ID?: string; S3_SECRET_ACCESS_KEY?: string;
  S3_REGION?: string; S3_FORCE_PATH_STYLE?: boolean;
}): StorageConfig {
  if (env.S3_ENDPOINT && env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY) {
    return {
      kind: 's3', endpoint: env.S3_ENDPOINT, bucket: env.S3_BUCKET, accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY, region: env.S3_REGION, forcePathStyle: env.S3_FORCE_PATH_STYLE,
    };
  }
  return { kind: 'local', dir: join(env.dataDir, 'objects') };
}
