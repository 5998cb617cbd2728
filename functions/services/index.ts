/**
 * The composition root of the API: `createServices(env)` opens the database, picks the object store,
 * prepares the face engine (loaded lazily, on first use) and builds every service once per process.
 * Handlers get the result through the Hono context; nothing here is a module-level singleton.
 */
import { join } from 'node:path';
import type { HostEnv } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import { defaultTimeZone } from '../../core/time.ts';
import { openDatabase, type Database, type DatabaseConfig } from '../../db/client.ts';
import { createRepositories } from '../../db/repositories/index.ts';
import { createAccountsService } from './accounts.ts';
import { createOnvifService } from '../../core/onvif/index.ts';
import type { FaceEngine, FaceModule, ObjectStore, StorageConfig } from './ports.ts';

export type ParsedEnv = HostEnv & { dataDir: string };

export type ApiConfig = {
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxImagePixels: number;
  timeZone: string;
};

/** The store in force; /UpdateSystemConfig StorageServer swaps it at run time. */
export class StoreHolder {
  constructor(private store: ObjectStore, private cfg: StorageConfig) {}
  get current(): ObjectStore { return this.store; }
  get config(): StorageConfig { return this.cfg; }
  swap(store: ObjectStore, cfg: StorageConfig): void { this.store = store; this.cfg = cfg; }
}

export function databaseConfig(env: ParsedEnv): DatabaseConfig {
  return env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, maxConnections: env.DATABASE_MAX_CONNECTIONS }
    : { kind: 'pglite', dataDir: join(env.dataDir, 'db') };
}

export function envStorageConfig(env: ParsedEnv): StorageConfig {
  return env.S3_ENDPOINT
    ? { kind: 's3', endpoint: env.S3_ENDPOINT, bucket: env.S3_BUCKET!, accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY!, region: env.S3_REGION, forcePathStyle: env.S3_FORCE_PATH_STYLE }
    : { kind: 'local', dir: join(env.dataDir, 'objects') };
}

export async function createServices(env: ParsedEnv, log: Logger) {
  const config: ApiConfig = {
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
    timeZone: env.TIME_ZONE ?? defaultTimeZone(),
  };
  const db: Database = await openDatabase(databaseConfig(env));
  const repos = createRepositories(db.orm);

  const accounts = createAccountsService(repos.accounts, {
    idleMinutes: env.SESSION_IDLE_MINUTES, maxFailures: env.LOGIN_MAX_FAILURES, lockSeconds: env.LOGIN_LOCK_SECONDS,
  }, log);
  await accounts.ensureAdmin(env.ADMIN_PASSWORD);

  return {
    config,
    log,
    db,
    repos,
    accounts,
    onvif: createOnvifService({ allowedRanges: env.ONVIF_ALLOWED_RANGES, discoveryMs: env.ONVIF_DISCOVERY_MS, timeoutMs: env.ONVIF_TIMEOUT_MS, discoveryTargets: env.ONVIF_DISCOVERY_TARGETS }),
    async close(): Promise<void> {
      await db.close();
    },
  };
}
export type Services = Awaited<ReturnType<typeof createServices>>;
