// Child process of startPgliteServer(): one PGlite engine (+ pgvector) behind the Postgres wire
// protocol on 127.0.0.1, a random port (or PGLITE_PORT). Plain JavaScript so it starts without a
// TypeScript loader. PGLITE_SESSIONS=many serves many clients on the one engine
// (pglite-sessions.mjs); otherwise @electric-sql/pglite-socket serves one at a time.
// Tells its parent {url} over IPC once listening; stops on SIGTERM/SIGINT or when the parent goes.
import { mkdirSync, rmSync } from 'node:fs';
import { openPglite } from '../../db/pglite-open.mjs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { announceAndServe } from './child-lifecycle.mjs';
import { createSessionServer } from './pglite-sessions.mjs';

const dataDir = process.env.PGLITE_DATA_DIR || undefined; // unset: in memory
const port = Number(process.env.PGLITE_PORT || 0);
if (dataDir) mkdirSync(dataDir, { recursive: true });

const db = await openPglite(dataDir, []); // Postgres's own settings, as a server would have
let actualPort;
let stopServer;
if (process.env.PGLITE_SESSIONS === 'many') {
  const s = createSessionServer(db);
  await new Promise((resolve, reject) => { s.server.once('error', reject); s.server.listen(port, '127.0.0.1', resolve); });
  actualPort = s.server.address().port;
  stopServer = () => s.close();
} else {
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port });
  await server.start();
  actualPort = server.getServerConn().split(':')[1];
  stopServer = () => server.stop();
}
const url = `postgres://postgres:postgres@127.0.0.1:${actualPort}/postgres`;
announceAndServe({ url }, async (why) => {
  try {
    await stopServer();
    await db.close(); // flushes the data dir
  } finally {
    // a temp dir of startPgliteServer(): gone with the parent, even when it was killed (a SIGTERM
    // is a restart() or stop(), which removes it itself)
    if (why === 'parent-gone' && process.env.PGLITE_REMOVE_ON_EXIT) rmSync(process.env.PGLITE_REMOVE_ON_EXIT, { recursive: true, force: true });
  }
});
