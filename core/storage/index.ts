/**
 * The object store for person pictures and capture images: a local directory (embedded default) or
 * an S3-compatible bucket, behind one interface. Only this folder imports the S3 SDK, and only once
 * an S3 store is asked for: the SDK costs ~22 MB of memory a local-directory host has no use for.
 */
import { LocalObjectStore } from './local.ts';
import type { ObjectStore, StorageConfig } from './types.ts';

export type { ObjectStore, StorageConfig } from './types.ts';
export { CHECK_TIMEOUT_MS, DEFAULT_S3_REGION, OPERATION_TIMEOUT_MS } from './types.ts';
export { SwitchableObjectStore } from './switchable.ts';
export { normalizeKey } from './keys.ts';
export { captureKey, captureUrlOfKey, keyOfUrl, parsePictureUrl, uploadUrl, type PictureKind, type PictureRef } from './picture-urls.ts';
export { LocalObjectStore };

export async function createObjectStore(cfg: StorageConfig): Promise<ObjectStore> {
  if (cfg.kind === 'local') return new LocalObjectStore(cfg.dir);
  const { S3ObjectStore } = await import('./s3.ts');
  return new S3ObjectStore(cfg);
}
