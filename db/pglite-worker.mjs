// Worker thread of openDatabase({ kind: 'pglite' }): the embedded PGlite engine (+ pgvector) on its
// own thread, behind the Postgres wire protocol (@electric-sql/pglite-socket) on a unix socket only
// this user can reach. The API thread then parses HTTP and JSON while this one runs the
// WebAssembly engine: two cores instead of one, still one process. Plain JavaScript so it starts
// without a TypeScript loader. One session at a time (PGlite is single-session): the API uses one
// connection. (A hand-written server that fed every buffered message to the engine in one call
// measured slower: 630 vs 770-810 req/s on bench:api's record list, and ~150 MB more RSS.)
//
// workerData: { dataDir: string | null, socketPath: string, settings: string[] (-c name=value) }.
// Posts { ready: true } once listening, { error } if it could not start; on 'stop' closes the
// server and the engine (which flushes the data dir) and posts { stopped: true }.
import { parentPort, workerData } from 'node:worker_threads';
import { chmodSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, socketPath, settings } = workerData;
let db;
let server;
try {
  db = await PGlite.create(dataDir ?? undefined, { extensions: { vector }, startParams: [...PGlite.defaultStartParams, ...settings] });
  // no idle timeout: the API keeps its one connection for the life of the process
  server = new PGLiteSocketServer({ db, path: socketPath, idleTimeout: 0 });
  await server.start();
  chmodSync(socketPath, 0o600);
  parentPort.postMessage({ ready: true });
} catch (e) {
  await db?.close().catch(() => {});
  parentPort.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  process.exit(1);
}

parentPort.on('message', async (m) => {
  if (m !== 'stop') return;
  try {
    await server.stop();
  } finally {
    await db.close();
    parentPort.postMessage({ stopped: true });
  }
});
