/**
 * The database behind one interface: embedded PGlite (+ pgvector) keeping its files in a directory,
 * or a real Postgres over the wire via postgres.js when a URL is given. Migrations in db/migrations
 * are applied on open, so a fresh data directory or database is ready to use.
 */
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
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
      /** Postgres shared_buffers of the embedded engine, MB (default 32; PGlite's own default, 128,
       *  is all resident in the process: ~130 MB more RSS for little gain, the OS caches the files) */
      sharedBuffersMb?: number;
      /** minutes between VACUUM (ANALYZE) runs (default 15; 0: never). PGlite runs single-user, with
       *  no autovacuum: without this, planner statistics stay empty (tables that grew from nothing
       *  are planned as if they had a row or two) and counts cannot use index-only scans. */
      maintenanceMinutes?: number;
    }
  | {
      kind: 'postgres';
      url: string;
      /** pool size (default 10); 1 for a PGlite socket server, which serves one session at a time */
      maxConnections?: number;
    };

/** Seconds to wait for a Postgres connection before failing (postgres.js default: 30). */
const CONNECT_TIMEOUT_S = 10;

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === 'pglite') {
    const [{ PGlite }, { vector }, { drizzle }, { migrate }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-pgvector'),
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
    const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${config.sharedBuffersMb ?? 32}MB`];
    const client = await PGlite.create(config.dataDir ?? undefined, { extensions: { vector }, startParams });
    const orm = drizzle(client, { schema });
    await migrate(orm, { migrationsFolder });
    // statistics now (cheap: ANALYZE samples), the full VACUUM (ANALYZE) in the background later
    await client.exec('ANALYZE');
    const minutes = config.maintenanceMinutes ?? 15;
    let running: Promise<unknown> | undefined;
    const timer = minutes > 0
      ? setInterval(() => { running ??= client.exec('VACUUM (ANALYZE)').catch(() => {}).finally(() => { running = undefined; }); }, minutes * 60_000).unref()
      : undefined;
    return {
      kind: 'pglite',
      orm: orm as unknown as Orm,
      close: async () => {
        clearInterval(timer);
        await running;
        await client.close();
      },
    };
  }
  const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
    import('drizzle-orm/postgres-js/migrator'),
  ]);
  const client = postgres(config.url, { max: config.maxConnections ?? 10, connect_timeout: CONNECT_TIMEOUT_S, onnotice: () => {} });
  const orm = drizzle(client, { schema });
  await migrate(orm, { migrationsFolder });
  return { kind: 'postgres', orm: orm as unknown as Orm, close: () => client.end({ timeout: 5 }) };
}
