/**
 * The object store for person pictures and capture images: a local directory (embedded default) or
 * an S3-compatible bucket, behind one interface. Only this folder imports the S3 SDK.
 */
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

