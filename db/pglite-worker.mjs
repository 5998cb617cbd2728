// Worker thread of openDatabase({ kind: 'pglite' }): the embedded PGlite engine (+ pgvector) on its
// own thread, behind the Postgres wire protocol on a unix socket only this user can reach. The API
// thread then parses HTTP and JSON while this one runs the WebAssembly engine: two cores instead
// of one, still one process. Plain JavaScript so it starts without a TypeScript loader.
//
// The socket is served here rather than by @electric-sql/pglite-socket's server, whose handler
// enters the engine once per protocol message (Bind, Execute, Sync: three times per query, each
// behind a setImmediate, a queue and a mutex, each answer a write of its own). Here every complete
// message that has arrived goes into the engine in one call and the answer leaves in one corked
// write: on bench:api's record list 1.20-1.23 ms of CPU per request instead of 1.46-1.48 (873-884
// vs 794-799 req/s, same minute). One session at a time (PGlite is single-session): the API uses
// one connection; a second one is closed at once.
//
// workerData: { dataDir: string | null, socketPath: string, settings: string[] (-c name=value) }.
// Posts { ready: true } once listening, { error } if it could not start; on 'stop' closes the
// server and the engine (which flushes the data dir) and posts { stopped: true }.
import { parentPort, workerData } from 'node:worker_threads';
import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { openPglite } from './pglite-open.mjs';

const { dataDir, socketPath, settings } = workerData;
const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'

let db;
let server;
let client = null;

/**
 * Runs protocol bytes through the engine, its answer written to the socket in one go. The engine
 * works synchronously (syncToFs: false: the node and memory file systems write through, there is
 * nothing to sync), so batches never overlap.
 */
function execute(socket, bytes) {
  socket.cork();
  db.execProtocolRawStream(bytes, { syncToFs: false, onRawData: (d) => { if (!socket.destroyed) socket.write(Buffer.from(d)); } })
    .catch((e) => socket.destroy(e instanceof Error ? e : new Error(String(e))))
    .finally(() => socket.uncork());
}

/** Serves one connection: frames the byte stream into whole messages and runs them in batches. */
function serve(socket) {
  let pending = Buffer.alloc(0);
  let started = false; // after the startup message, every message is a type byte + int32 length
  socket.setNoDelay(true);

  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (!started && pending.length >= 8) {
      const len = pending.readInt32BE(0);
      if (pending.length < len) return;
      const code = pending.readInt32BE(4);
      const msg = new Uint8Array(pending.subarray(0, len));
      pending = pending.subarray(len);
      if (code === SSL_REQUEST) { socket.write('N'); continue; } // no TLS on a local socket
      if (code === CANCEL_REQUEST) { socket.end(); return; } // not supported
      started = true;
      execute(socket, msg);
    }
    if (!started) return;
    let end = 0;
    while (pending.length - end >= 5) {
      const len = 1 + pending.readInt32BE(end + 1);
      if (pending.length - end < len) break;
      end += len;
    }
    if (end === 0) return;
    const batch = new Uint8Array(pending.subarray(0, end));
    pending = pending.subarray(end);
    if (batch[0] === TERMINATE) { socket.end(); return; }
    execute(socket, batch);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    if (client === socket) client = null;
    // a transaction the client left open must not hold the next session
    if (db.isInTransaction()) db.exec('ROLLBACK').catch(() => {});
  });
}

try {
  db = await openPglite(dataDir, settings);
  server = createServer((socket) => {
    if (client) { socket.destroy(); return; } // one session at a time
    client = socket;
    serve(socket);
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(socketPath, resolve); });
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
    client?.destroy();
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await db.close();
    parentPort.postMessage({ stopped: true });
  }
});
