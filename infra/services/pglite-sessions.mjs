// Many client sessions on one PGlite engine, for the tests that need a Postgres server shared by
// several processes with connection pools (the fault suite: two API hosts). PGlite is
// single-session, and @electric-sql/pglite-socket's multi-connection mode interleaves clients
// message by message (one client's Bind can replace another's unnamed portal between its Bind and
// Execute). Here a client owns the engine from the first message of a unit (everything up to a
// Sync, a simple Query or a Flush) until the engine answers ReadyForQuery outside a transaction:
// units and transactions never interleave, what a transaction-mode pooler (pgbouncer) guarantees
// in front of a real Postgres. Named prepared statements live in the one engine session; postgres.js
// names them per connection, so clients never collide.
import { createServer } from 'node:net';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const FLUSH = 0x48; // 'H'
const TERMINATE = 0x58; // 'X'
const READY = 0x5a; // 'Z'

/** @param {import('@electric-sql/pglite').PGlite} db */
export function createSessionServer(db) {
  /** @type {Set<Session>} */
  const sessions = new Set();
  /** the session that holds the engine now */
  let owner = null;
  /** sessions with a unit to run, in arrival order */
  const ready = [];
  /** the engine's answer to the first startup message, given to every later session */
  let startupReply = null;
  let running = false;

  class Session {
    constructor(socket) {
      this.socket = socket;
      this.pending = Buffer.alloc(0);
      this.started = false;
      /** whole units waiting: { bytes, end: the unit's last message type, startup? } */
      this.units = [];
      this.closed = false;
      /** the engine's status after this session's last unit: I (idle), T (transaction), E (failed transaction) */
      this.status = 0x49;
    }
  }

  function enqueue(s, unit) {
    // the engine is not needed to greet a client once it has greeted one
    if (unit.startup && startupReply) { write(s, startupReply); return; }
    s.units.push(unit);
    if (owner !== s && !ready.includes(s)) ready.push(s);
    void pump();
  }

  async function pump() {
    if (running) return;
    running = true;
    try {
      for (;;) {
        if (!owner) {
          owner = ready.shift() ?? null;
          if (!owner) return;
        }
        const s = owner;
        const unit = s.units.shift();
        if (!unit) {
          if (!s.closed) return; // the owner is between units of a transaction: others wait
          await release(s);
          continue;
        }
        await run(s, unit);
        const idle = unit.end !== FLUSH && s.status === 0x49;
        if (idle || s.closed) await release(s);
      }
    } finally {
      running = false;
    }
  }

  async function release(s) {
    if (s.status !== 0x49) {
      // a client gone in the middle of a transaction must not hold the next one
      await db.exec('ROLLBACK').catch(() => {});
      s.status = 0x49;
    }
    owner = null;
    if (s.units.length && !s.closed) ready.push(s);
  }

  async function run(s, unit) {
    const out = [];
    await db.execProtocolRawStream(unit.bytes, { syncToFs: false, onRawData: (d) => { out.push(Buffer.from(d)); } })
      .catch((e) => { s.socket.destroy(e instanceof Error ? e : new Error(String(e))); });
    const reply = Buffer.concat(out);
    if (unit.startup) startupReply = reply;
    // the status byte of the last ReadyForQuery: ...'Z' int32(5) status
    if (reply.length >= 6 && reply[reply.length - 6] === READY && reply.readInt32BE(reply.length - 5) === 5) s.status = reply[reply.length - 1];
    write(s, reply);
  }

  function write(s, bytes) {
    if (!s.socket.destroyed && bytes.length) s.socket.write(bytes);
  }

  function onData(s, chunk) {
    s.pending = s.pending.length ? Buffer.concat([s.pending, chunk]) : chunk;
    while (!s.started && s.pending.length >= 8) {
      const len = s.pending.readInt32BE(0);
      if (s.pending.length < len) return;
      const code = s.pending.readInt32BE(4);
      const msg = new Uint8Array(s.pending.subarray(0, len));
      s.pending = s.pending.subarray(len);
      if (code === SSL_REQUEST) { s.socket.write('N'); continue; }
      if (code === CANCEL_REQUEST) { s.socket.end(); return; }
      s.started = true;
      enqueue(s, { bytes: msg, end: SYNC, startup: true });
    }
    if (!s.started) return;
    let start = 0;
    let at = 0;
    while (s.pending.length - at >= 5) {
      const type = s.pending[at];
      const len = 1 + s.pending.readInt32BE(at + 1);
      if (s.pending.length - at < len) break;
      at += len;
      if (type === TERMINATE) { s.socket.end(); s.pending = Buffer.alloc(0); return; }
      if (type === SYNC || type === QUERY || type === FLUSH) {
        enqueue(s, { bytes: new Uint8Array(s.pending.subarray(start, at)), end: type });
        start = at;
      }
    }
    s.pending = s.pending.subarray(start);
  }

  const server = createServer((socket) => {
    const s = new Session(socket);
    sessions.add(s);
    socket.setNoDelay(true);
    socket.on('data', (d) => onData(s, d));
    socket.on('error', () => {});
    socket.on('close', () => {
      s.closed = true;
      s.units = [];
      sessions.delete(s);
      const i = ready.indexOf(s);
      if (i >= 0) ready.splice(i, 1);
      if (owner === s) void pump();
    });
  });

  return {
    server,
    /** stops accepting, drops every client */
    async close() {
      for (const s of sessions) s.socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
