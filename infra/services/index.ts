/**
 * Real services on loopback for tests and developers, without Docker: each start*() spawns a child
 * process on a random free port with its files in a temp dir, waits until it answers, and returns
 * its connection info and stop(). A child also stops (and removes its temp dir) when its parent
 * process goes away, even killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface PgliteServer {
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** the server process (the current one: restart() starts another) */
  readonly pid: number;
  /**
   * stops the server and starts it again on the same port and data: an outage of the database;
   * `downMs` keeps it down that long
   */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface S3Server {
  /** http://127.0.0.1:<port> (path-style) */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** where the objects are kept (deleted by stop()) */
  dir: string;
  /** the server process (the current one: restart() starts another) */
  readonly pid: number;
  /**
   * stops the server and starts it again on the same port and folder (objects kept): an outage of
   * the store; `downMs` keeps it down that long
   */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PGlite engine with pgvector in a child process, speaking the Postgres wire protocol.
 *
 * By default it serves ONE connection at a time (PGlite is single-session; further connections are
 * refused): use postgres.js with `max: 1`, i.e. openDatabase({ kind: 'postgres', url,
 * maxConnections: 1 }). With `sessions: 'many'` it serves any number of connections, each unit of
 * work (up to a Sync) and each transaction run alone on the one engine (infra/services/pglite-sessions.mjs):
 * several processes with pools can share it, as they share a Postgres.
 * Without `dataDir` the data lives in a temp dir removed by stop(); with it, the data is kept there.
 */
export async function startPgliteServer(opts: { dataDir?: string; sessions?: 'one' | 'many' } = {}): Promise<PgliteServer> {
  const tempDir = opts.dataDir ? null : await mkdtemp(join(tmpdir(), 'facewatch-pglite-'));
  const dataDir = opts.dataDir ?? join(tempDir!, 'data');
  const cleanup = async () => { if (tempDir) await rm(tempDir, { recursive: true, force: true }); };
  const launch = (port = 0) => spawnService<{ url: string }>('pglite-child.mjs', {
    PGLITE_DATA_DIR: dataDir, PGLITE_REMOVE_ON_EXIT: tempDir ?? '', PGLITE_PORT: String(port), PGLITE_SESSIONS: opts.sessions ?? 'one',
  }, 120_000); // a fresh data dir runs initdb in WebAssembly: ~10 s alone, far more on a busy machine
  try {
    const r = await restartable(launch, (i) => i.url, cleanup);
    return { url: r.info.url, get pid() { return r.pid; }, restart: r.restart, stop: r.stop };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * An S3-protocol server (s3rver) in a child process, with one bucket created. Credentials are
 * s3rver's fixed pair (S3RVER/S3RVER); it refuses unknown access key ids but does not verify SigV4
 * signatures, so a wrong secret goes unnoticed here (MinIO would refuse it). Path-style addressing.
 */
export async function startS3Server(opts: { bucket?: string } = {}): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'facewatch-s3-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  type Info = Omit<S3Server, 'stop' | 'restart' | 'dir' | 'pid'>;
  // the child removes the folder when its parent dies; restart() stops it with the folder kept
  const launch = (port = 0) => spawnService<Info>('s3-child.mjs', { S3_DIR: dir, S3_BUCKET: opts.bucket ?? 'facewatch', S3_PORT: String(port), S3_REMOVE_ON_PARENT_EXIT: '1' }, 30_000);
  try {
    const r = await restartable(launch, (i) => i.endpoint, cleanup);
    return { ...r.info, dir, get pid() { return r.pid; }, restart: r.restart, stop: r.stop };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * A service child that restart() stops and starts again on the port it first took (its data kept),
 * and stop() ends for good, then `cleanup()`.
 */
async function restartable<T>(launch: (port?: number) => Promise<{ child: ChildProcess; info: T }>, address: (info: T) => string, cleanup: () => Promise<void>) {
  let { child, info } = await launch();
  const port = Number(new URL(address(info)).port);
  return {
    info,
    /** the running child's (restart() starts another) */
    get pid() { return child.pid!; },
    async restart(o: { downMs?: number } = {}) {
      await stopChild(child);
      if (o.downMs) await sleep(o.downMs);
      ({ child } = await launch(port));
    },
    stop: once(async () => { await stopChild(child); await cleanup(); }),
  };
}

/** Forks a child script of this folder and waits for the first IPC message: its connection info. */
async function spawnService<T>(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ child: ChildProcess; info: T }> {
  const child = fork(here(script), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [], // not the parent's loader flags (tsx, vitest): the children are plain JavaScript
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  try {
    const info = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (m) => { clearTimeout(timer); resolve(m as T); });
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`${script} exited (${code ?? signal}) before it was ready`)); });
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
    child.stderr!.resume();
    return { child, info };
  } catch (e) {
    await stopChild(child);
    throw new Error(`${(e as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: e });
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
