// Opens the embedded engine (PGlite + pgvector) on a data directory, for every place that does:
// db/pglite-worker.mjs (the default, a worker thread), db/client.ts (PGLITE_THREAD=main) and the
// tests' wire-protocol server (infra/services/pglite-child.mjs). Plain JavaScript because the worker
// and that server run without a TypeScript loader.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

/**
 * `settings`: extra Postgres start parameters (-c name=value pairs). A directory without a cluster
 * gets one (initdb), and is then opened again: creating a cluster leaves ~500 MB of WebAssembly
 * memory that PGlite frees only when a new instance replaces the first (measured: 650 MB resident
 * for the first ~16 s of a first start, 270 MB after a reopen; the reopen takes a fraction of a
 * second). In memory (no directory) there is nothing to reopen.
 */
export async function openPglite(dataDir, settings) {
  const options = { extensions: { vector }, startParams: [...PGlite.defaultStartParams, ...settings] };
  const fresh = !!dataDir && !existsSync(join(dataDir, 'PG_VERSION'));
  const db = await PGlite.create(dataDir ?? undefined, options);
  if (!fresh) return db;
  await db.close();
  return PGlite.create(dataDir, options);
}
