/**
 * Named system configuration. `StorageServer` is applied, not just stored: the new S3 store must be
 * at an address STORAGE_ALLOWED_RANGES allows and answer first (else ADDRESS_NOT_ALLOWED or
 * STORAGE_CONFIG_REJECTED naming the failure class, and the old one stays), then it becomes the
 * store in force and is used again after a restart; `{"type": "local"}` goes back to the local
 * directory. Other names are stored as given (validated JSON objects). Secrets are never returned:
 * values of keys named by core/redact.ts's rule read back as "******", and sending "******" back
 * keeps the stored value.
 */
import { AppError, isAppError } from '../../core/errors.ts';
import { parseJsonBounded } from '../../core/json.ts';
import type { Logger } from '../../core/log.ts';
import type { AddressPolicy } from '../../core/net/index.ts';
import { MASK, maskSecrets, unmaskSecrets } from '../../core/redact.ts';
import { createObjectStore, DEFAULT_S3_REGION, type SwitchableObjectStore, type StorageConfig } from '../../core/storage/index.ts';
import type { SystemConfigRepo } from '../../db/repositories/systemConfig.ts';

export const STORAGE_SERVER = 'StorageServer';
export { MASK };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** config text → a JSON object; INVALID_CONFIG otherwise (the field check of /UpdateSystemConfig too). */
export function parseConfigObject(text: string): JsonObject {
  let v: unknown;
  try {
    v = parseJsonBounded(text, 'config');
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError('INVALID_CONFIG', 'config: is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AppError('INVALID_CONFIG', 'config: must be a JSON object');
  return v as JsonObject;
}

/**
 * StorageServer: {"ip", "port", "bucket", "access_key", "secret_key", "tls"?: false, "region"?: "us-east-1",
 * "force_path_style"?: true}. An S3-compatible server at http(s)://ip:port.
 */
export function storageConfigOf(c: JsonObject, localDir = ''): StorageConfig {
  const bad = (why: string) => new AppError('INVALID_CONFIG', `config.${why}`);
  if (c.type === 'local') return { kind: 'local', dir: localDir };
  if (c.type !== undefined && c.type !== 's3') throw bad('type: must be "local" or "s3" (the default)');
  const str = (k: string, required = true) => {
    const v = c[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '' || v.length > 512) throw bad(`${k}: must be a non-empty string`);
    return v.trim();
  };
  const ip = str('ip')!;
  if (!/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:]+\]?$/.test(ip)) throw bad('ip: must be a host name or IP address');
  const port = c.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw bad('port: must be an integer 1..65535');
  if (c.tls !== undefined && typeof c.tls !== 'boolean') throw bad('tls: must be true or false');
  if (c.force_path_style !== undefined && typeof c.force_path_style !== 'boolean') throw bad('force_path_style: must be true or false');
  const host = ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
  return {
    kind: 's3',
    endpoint: `${c.tls ? 'https' : 'http'}://${host}:${port}`,
    bucket: str('bucket')!,
    accessKeyId: str('access_key')!,
    secretAccessKey: str('secret_key')!,
    region: str('region', false) ?? DEFAULT_S3_REGION,
    forcePathStyle: c.force_path_style === undefined ? true : (c.force_path_style as boolean),
  };
}

/** The StorageServer view of the store configured by the environment (before any UpdateSystemConfig). */
function describeEnvStore(cfg: StorageConfig): JsonObject {
  if (cfg.kind === 'local') return { type: 'local' };
  const u = new URL(cfg.endpoint);
  return {
    ip: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), bucket: cfg.bucket,
    access_key: cfg.accessKeyId, secret_key: cfg.secretAccessKey, tls: u.protocol === 'https:', region: cfg.region ?? DEFAULT_S3_REGION,
  };
}

/** Where a StorageServer may be: `policy` is STORAGE_ALLOWED_RANGES (none: any address, tests of the service alone). */
export type StoragePolicy = { localDir: string; policy?: AddressPolicy };

/** A configured StorageServer as a store to open: its address checked, its connections checked too. */
async function withPolicy(cfg: StorageConfig, policy: AddressPolicy | undefined): Promise<StorageConfig> {
  if (cfg.kind !== 's3' || !policy) return cfg;
  const host = new URL(cfg.endpoint).hostname.replace(/^\[|\]$/g, '');
  try {
    await policy.resolve(host, 3000, { unreachable: 'STORAGE_CONFIG_REJECTED', timeout: 'STORAGE_CONFIG_REJECTED' });
  } catch (e) {
    if (isAppError(e) && e.kind === 'ADDRESS_NOT_ALLOWED') throw new AppError('ADDRESS_NOT_ALLOWED', `config.ip: ${e.message}`);
    throw new AppError('STORAGE_CONFIG_REJECTED', `StorageServer is unreachable (host name ${host} does not resolve); the current store is kept`);
  }
  return { ...cfg, lookup: policy.lookup };
}

/** At start: a StorageServer saved by UpdateSystemConfig wins over the environment's store. */
export async function savedStorageConfig(repo: SystemConfigRepo, log: Logger, where: StoragePolicy): Promise<StorageConfig | undefined> {
  const row = await repo.get(STORAGE_SERVER);
  if (!row) return undefined;
  try {
    return await withPolicy(storageConfigOf(parseConfigObject(row.config), where.localDir), where.policy);
  } catch (e) {
    log.error({ err: e }, 'saved StorageServer config is invalid; using the environment store');
    return undefined;
  }
}

export function createSystemConfigService(deps: {
  repo: SystemConfigRepo; store: SwitchableObjectStore; envStorage: StorageConfig; log: Logger;
} & StoragePolicy & {
  /** names whose config is checked before it is stored (e.g. AlarmWebhook): throw to refuse */
  checks?: Record<string, (config: JsonObject) => Promise<void>>;
}) {
  const { repo, store, log } = deps;
  return {
    async update(i: { name: string; config: string; remark?: string }): Promise<void> {
      const given = parseConfigObject(i.config);
      const prev = await repo.get(i.name);
      const value = unmaskSecrets(given, prev ? parseConfigObject(prev.config) : undefined) as JsonObject;
      if (i.name === STORAGE_SERVER) {
        const cfg = await withPolicy(storageConfigOf(value, deps.localDir), deps.policy);
        await store.switchTo(await createObjectStore(cfg)); // STORAGE_CONFIG_REJECTED keeps the old store
        log.info({ store: store.describe() }, 'object store switched');
      }
      await deps.checks?.[i.name]?.(value);
      // kept as given, unless masked secrets were filled back in
      const unchanged = JSON.stringify(value) === JSON.stringify(given);
      await repo.put(i.name, unchanged ? i.config : JSON.stringify(value), i.remark);
    },

    async get(name: string): Promise<{ info: { name: string; config: string } }> {
      const row = await repo.get(name);
      let value: JsonObject;
      if (row) value = parseConfigObject(row.config);
      else if (name === STORAGE_SERVER) value = describeEnvStore(deps.envStorage);
      else throw new AppError('CONFIG_NOT_FOUND', `name: no config named ${name}`);
      return { info: { name, config: JSON.stringify(maskSecrets(value)) } };
    },
  };
}
export type SystemConfigService = ReturnType<typeof createSystemConfigService>;
