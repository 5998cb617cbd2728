/**
 * The adapters of an API process, opened once and shared by request services (services/index.ts)
 * and background workers (workers/): the database and its repositories, the object store, the bus
 * and the face engine. Only the database opens at once (every URI but /Login checks a session in
 * it); the store, the bus and the face engine open on first use, so a function deployed alone pays
 * at a cold start only for what its URI touches. The API host opens them all at start.
 */
import { join } from 'node:path';
import { ConfigError, type HostEnv } from '../../core/config.ts';
import { connectNatsBus, createMemoryBus, lazyBus, type LazyBus } from '../../core/bus/index.ts';
import { faceEngineOptions } from '../../core/env/face.ts';
import { storageConfigOf } from '../../core/env/storage.ts';
import { createFaceEngine, type FaceEngine } from '../../core/face/index.ts';
import type { Logger } from '../../core/log.ts';
import { createAddressPolicy, type AddressPolicy } from '../../core/net/index.ts';
import { defaultTimeZone } from '../../core/time.ts';
import { createObjectStore, SwitchableObjectStore, type ObjectStore, type StorageConfig } from '../../core/storage/index.ts';
import { openDatabase, type Database, type DatabaseConfig } from '../../db/client.ts';
import { createRepositories, type Repositories } from '../../db/repositories/index.ts';
import { savedStorageConfig } from './systemConfig.ts';

export type ParsedEnv = HostEnv & { dataDir: string };

export type Resources = {
  env: ParsedEnv;
  log: Logger;
  db: Database;
  repos: Repositories;
  /** the environment's store, unless a StorageServer saved by /UpdateSystemConfig answers */
  store: SwitchableObjectStore;
  /** the store the environment configures (what GetSystemConfig StorageServer shows before any update) */
  envStorage: StorageConfig;
  /** where a StorageServer set through the API may be (STORAGE_ALLOWED_RANGES), and where
   *  `{"type": "local"}` points (DATA_DIR/objects) */
  storagePolicy: AddressPolicy;
  localDir: string;
  /** NATS when NATS_URL is set, else in process; connects on first use */
  bus: LazyBus;
  /** its worker and models load on first use */
  face: FaceEngine;
  /** opens the store and the bus now (the host does at start: a failure shows there, not on a request) */
  openAll(): Promise<void>;
  close(): Promise<void>;
};

/** Parses a CIDR list setting; ConfigError naming the variable (the host stops at start). */
export function policyOf(variable: string, ranges: string): AddressPolicy {
  try {
    return createAddressPolicy(ranges, variable);
  } catch (e) {
    throw new ConfigError(`bad environment: ${variable}: ${(e as Error).message}`);
  }
}

export function databaseConfig(env: ParsedEnv): DatabaseConfig {
  return env.DATABASE_URL
    ? { kind: 'postgres', url: env.DATABASE_URL, maxConnections: env.DATABASE_MAX_CONNECTIONS, connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS, stallMs: env.DATABASE_STALL_MS }
    : { kind: 'pglite', dataDir: join(env.dataDir, 'db'), thread: env.PGLITE_THREAD };
}

export async function openResources(env: ParsedEnv, log: Logger): Promise<Resources> {
  const storagePolicy = policyOf('STORAGE_ALLOWED_RANGES', env.STORAGE_ALLOWED_RANGES);
  const localDir = join(env.dataDir, 'objects');
  const db = await openDatabase(databaseConfig(env), log.child({ part: 'db' }));
  const repos = createRepositories(db.orm);
  // attendance dates are local dates of TIME_ZONE: rebuilt once when the zone is new to the database
  const timeZone = env.TIME_ZONE ?? defaultTimeZone();
  if (await repos.attendance.ensureZone(timeZone).catch(async (e) => { await db.close(); throw e; })) {
    log.info({ timeZone }, 'attendance days rebuilt for this TIME_ZONE');
  }
  const envStorage = storageConfigOf(env, env.dataDir);

  const store = new SwitchableObjectStore(async (): Promise<ObjectStore> => {
    const fromEnv = await createObjectStore(envStorage);
    const saved = await savedStorageConfig(repos.systemConfig, log, { localDir, policy: storagePolicy });
    if (!saved) return fromEnv;
    // A store saved by /UpdateSystemConfig is used again; if it is down now, keep the env store.
    const s = await createObjectStore(saved);
    try {
      await s.check();
    } catch (err) {
      log.error({ err }, 'saved StorageServer does not answer; using the environment store');
      await s.close?.().catch(() => {});
      return fromEnv;
    }
    await fromEnv.close?.().catch(() => {});
    return s;
  });
  const bus = lazyBus(async () => (env.NATS_URL ? connectNatsBus({ servers: env.NATS_URL, name: 'api', logger: log }) : createMemoryBus()), log);
  const face = createFaceEngine({ ...faceEngineOptions(env, { arena: false }), limits: { maxBytes: env.MAX_UPLOAD_BYTES, maxPixels: env.MAX_IMAGE_PIXELS } });

  return {
    env, log, db, repos, store, envStorage, storagePolicy, localDir, bus, face,
    async openAll() {
      await Promise.all([store.open(), bus.connect()]);
    },
    async close() {
      await bus.close().catch((err) => log.warn({ err }, 'closing the bus failed'));
      await Promise.allSettled([face.close(), store.close()]);
      await db.close();
    },
  };
}
