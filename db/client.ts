/**
 * The database behind one interface: embedded PGlite (+ pgvector) keeping its files in a directory,
 * or a real Postgres over the wire via postgres.js when a URL is given. Migrations in db/migrations
 * are applied on open, so a fresh data directory or database is ready to use.
 *
 * The embedded engine runs by default in a worker thread of this process (db/pglite-worker.mjs),
 * reached through the Postgres wire protocol on a private unix socket with postgres.js (one
 * connection: PGlite is single-session). The WebAssembly engine then has a core of its own while
 * the calling thread parses HTTP and JSON, and postgres.js keeps named prepared statements (the
 * in-thread drizzle driver parses and plans every query again); on the bench:api seed this served
 * 3-4x the list requests per second of the engine on the calling thread (`thread: 'main'`, kept as
 * the simpler fallback), with less RSS.
 */
import { repoPath } from '../core/paths.ts';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from '../core/log.ts';
import { DatabaseGate, gatedSql } from './availability.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  close(): Promise<void>;
}

export type DatabaseConfig =
  | {
      kind: 'pglite';
      dataDir: string | null /* null: in memory */;
      /** Postgres shared_buffers of the embedded engine, MB (default 16; PGlite's own default, 128,
       *  is all resident in the process: ~130 MB more RSS for little gain, the OS caches the files;
       *  16 instead of 32 saved 20-50 MB of RSS on bench:api for ~5 % more CPU on the name filter) */
      sharedBuffersMb?: number;
      /** minutes between VACUUM (ANALYZE) runs (default 15; 0: never). PGlite runs single-user, with
       *  no autovacuum: without this, planner statistics stay empty (tables that grew from nothing
       *  are planned as if they had a row or two) and counts cannot use index-only scans. */
      maintenanceMinutes?: number;
      /** 'worker' (default): the engine on a worker thread, behind a unix socket; 'main': on the
       *  calling thread, called directly */
      thread?: 'worker' | 'main';
    }
  | {
      kind: 'postgres';
      url: string;
      /** pool size (default 10); 1 for a PGlite socket server, which serves one session at a time */
      maxConnections?: number;
      /** ms to wait for a connection to open (default 1500) */
      connectTimeoutMs?: number;
      /** a query waiting this long makes the pool check the database is there (default 750; see
       *  db/availability.ts); with one connection only connection errors do */
      stallMs?: number;
    };

/** Seconds to wait for the embedded engine's socket (postgres.js default: 30). */
const CONNECT_TIMEOUT_S = 10;
/** the availability probe's limit: with stallMs, a query's longest wait while the database is away */
const PROBE_TIMEOUT_MS = 1000;
/** between probes while the database is away */
const PROBE_RETRY_MS = 500;
/**
 * postgres.js waits (0.5..1) x 3^n / 100 s, up to 20 s, before the n-th attempt to reconnect after
 * failures, and queries queue meanwhile: after an outage of a few seconds a query waited up to 20 s
 * after the database was back. A connection attempt is cheap; retry within half a second.
 */
const reconnectBackoffS = (retries: number) => Math.min(0.05 * 2 ** retries, 0.5);

const migrationsFolder = repoPath('db/migrations');

export async function openDatabase(config: DatabaseConfig, log?: Logger): Promise<Database> {
  if (config.kind === 'pglite' && (config.thread ?? 'worker') === 'worker') return openPgliteWorker(config);
  if (config.kind === 'pglite') {
    const [{ openPglite }, { drizzle }, { migrate }] = await Promise.all([
      import('./pglite-open.mjs'),
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
    const client = await openPglite(config.dataDir, pgliteSettings(config));
    const orm = drizzle(client, { schema });
    await migrate(orm, { migrationsFolder });
    return embedded(config, orm, (q) => client.exec(q), () => client.close());
  }
  const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
    import('drizzle-orm/postgres-js/migrator'),
  ]);
  const max = config.maxConnections ?? 10;
  const connectTimeoutS = (config.connectTimeoutMs ?? 1500) / 1000;
  // fetch_types off: postgres.js 3.4.9 runs its array-type query on every new connection and drops
  // that promise, so a database going away at that moment is an unhandled rejection, which ends a
  // Node process (porsager/postgres#1192, seen in test/db/availability.test.ts). We read no array
  // columns (array_agg results are subscripted to scalars) and send no array parameters.
  const options = { connect_timeout: connectTimeoutS, backoff: reconnectBackoffS, onnotice: () => {}, fetch_types: false };
  const client = postgres(config.url, { ...options, max });
  // migrations as they are (an index build may take minutes), then every query through the gate
  await migrate(drizzle(client, { schema }), { migrationsFolder });
  const gate = new DatabaseGate({
    probe: async () => {
      const probe = postgres(config.url, { ...options, max: 1 });
      try { await probe`select 1`; } finally { await probe.end({ timeout: 0 }); }
    },
    stallMs: max > 1 ? config.stallMs ?? 750 : 0,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
    retryMs: PROBE_RETRY_MS,
    onChange: (up, reason) => (up ? log?.info({ reason }, 'database answers again') : log?.error({ reason }, 'database unavailable: answering DB_UNAVAILABLE until it is back')),
  });
  const orm = drizzle(gatedSql(client, gate), { schema });
  return { kind: 'postgres', orm: orm as unknown as Orm, close: async () => { gate.close(); await client.end({ timeout: 5 }); } };
}

type PgliteConfig = Extract<DatabaseConfig, { kind: 'pglite' }>;

/** Postgres settings of the embedded engine (-c name=value pairs). */
function pgliteSettings(config: PgliteConfig): string[] {
  return ['-c', `shared_buffers=${config.sharedBuffersMb ?? 16}MB`];
}

/**
 * The embedded engine, on either thread, ready for use: planner statistics now (cheap: ANALYZE
 * samples), the full VACUUM (ANALYZE) in the background later; closing stops that first.
 */
async function embedded(config: PgliteConfig, orm: unknown, run: (sql: string) => Promise<unknown>, closeClient: () => Promise<void>): Promise<Database> {
  await run('ANALYZE');
  const maintenance = maintain(config, () => run('VACUUM (ANALYZE)'));
  return {
    kind: 'pglite',
    orm: orm as Orm,
    close: async () => {
      await maintenance.stop();
      await closeClient();
    },
  };
}

/** PGlite runs single-user, without autovacuum: VACUUM (ANALYZE) every maintenanceMinutes. */
function maintain(config: PgliteConfig, vacuum: () => Promise<unknown>): { stop(): Promise<void> } {
  const minutes = config.maintenanceMinutes ?? 15;
  let running: Promise<unknown> | undefined;
  const timer = minutes > 0
    ? setInterval(() => { running ??= vacuum().catch(() => {}).finally(() => { running = undefined; }); }, minutes * 60_000).unref()
    : undefined;
  return { stop: async () => { clearInterval(timer); await running; } };
}

/** The embedded engine on a worker thread (db/pglite-worker.mjs), reached over a unix socket. */
async function openPgliteWorker(config: PgliteConfig): Promise<Database> {
  // the engine itself loads in the worker only
  const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
    import('drizzle-orm/postgres-js/migrator'),
  ]);
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  // a fresh 0700 directory: the socket has no password, only this user may reach it
  const socketDir = await mkdtemp(join(tmpdir(), 'facewatch-db-'));
  const socketPath = join(socketDir, '.s.PGSQL.5432');
  const worker = new Worker(repoPath('db/pglite-worker.mjs'), {
    workerData: { dataDir: config.dataDir, socketPath, settings: pgliteSettings(config) },
    execArgv: [], // plain JavaScript: no TypeScript loader in the worker
    // the worker allocates only small protocol buffers: a 4 MB young generation (V8 grows it to
    // 3 x 16 MB under load by default) saved 30-60 MB of RSS on bench:api at the same req/s
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`PGlite worker: ${m.error}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`PGlite worker exited (${code}) before it was ready`)));
    });
  } catch (e) {
    await worker.terminate();
    await rm(socketDir, { recursive: true, force: true });
    throw e;
  }
  const client = postgres({
    path: socketPath, username: 'postgres', database: 'postgres', max: 1, connect_timeout: CONNECT_TIMEOUT_S, onnotice: () => {},
    fetch_types: false, // as for a server (above): no dropped promise when the engine goes away
  });
  const stopWorker = async () => {
    const stopped = new Promise<void>((resolve) => worker.on('message', (m: { stopped?: boolean }) => { if (m.stopped) resolve(); }));
    worker.postMessage('stop');
    await Promise.race([stopped, exited]); // the engine flushed its data dir
    await worker.terminate();
    await rm(socketDir, { recursive: true, force: true });
  };
  try {
    const orm = drizzle(client, { schema });
    await migrate(orm, { migrationsFolder });
    return await embedded(config, orm, (q) => client.unsafe(q), async () => {
      await client.end({ timeout: 5 });
      await stopWorker();
    });
  } catch (e) {
    await client.end({ timeout: 1 }).catch(() => {});
    await stopWorker();
    throw e;
  }
}
