// Child process of startPgliteServer(): one PGlite engine (+ pgvector) behind the Postgres wire
// protocol on 127.0.0.1, a random port. Plain JavaScript so it starts without a TypeScript loader.
// Tells its parent {url} over IPC once listening; stops on SIGTERM/SIGINT or when the parent goes.
import { mkdirSync, rmSync } from 'node:fs';
import { openPglite } from '../../db/pglite-open.mjs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { announceAndServe } from './child-lifecycle.mjs';

const dataDir = process.env.PGLITE_DATA_DIR || undefined; // unset: in memory
const port = Number(process.env.PGLITE_PORT || 0);
if (dataDir) mkdirSync(dataDir, { recursive: true });

const db = await openPglite(dataDir, []); // Postgres's own settings, as a server would have
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port });
await server.start();
const [, actualPort] = server.getServerConn().split(':');
const url = `postgres://postgres:postgres@127.0.0.1:${actualPort}/postgres`;
announceAndServe({ url }, async () => {
  try {
    await server.stop();
    await db.close(); // flushes the data dir
  } finally {
    // a temp dir of startPgliteServer(): gone with the server, even when the parent was killed
    if (process.env.PGLITE_REMOVE_ON_EXIT) rmSync(process.env.PGLITE_REMOVE_ON_EXIT, { recursive: true, force: true });
  }
});
