/**
 * The distributed stack of the fault suite, every part a real process on loopback: nats-server with
 * a store dir, a Postgres-protocol server (PGlite + pgvector with many sessions: Debian bookworm has
 * no pgvector package for its Postgres, and the one-session PGlite server cannot carry two pooled
 * API hosts), an S3 server (s3rver), API hosts and stream nodes as child processes
 * (`node --import tsx`, as `npm start` / `npm run stream-node` run them, minus the build), and an
 * RTSP server with face clips. Servers restart on the same port and data; processes can be killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../infra/services/child.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export const ADMIN_PASSWORD = 'fault-admin';
export const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** where every process's whole log goes (the last lines are also kept in memory for failures) */
export const LOG_DIR = join(root, 'test-output', 'fault');

/** a process of the stack that ended without the suite stopping or killing it */
export interface Exit { name: string; at: number; code: number | null; signal: NodeJS.Signals | null; log: string }
export const unexpectedExits: Exit[] = [];

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** the last lines it logged */
  log(): string;
  /** SIGKILL, without any clean-up of its own (its ffmpeg children die with their pipes) */
  kill(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 10 s) */
  stop(): Promise<void>;
}

/** Starts `node --import tsx <script>` with `env` and waits for a log line matching `ready`. */
export async function startProc(name: string, script: string, env: Record<string, string>, ready: RegExp, timeoutMs = 90_000): Promise<{ proc: Proc; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  let out = '';
  await mkdir(LOG_DIR, { recursive: true });
  const file = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'a' });
  file.write(`--- ${new Date().toISOString()} started\n`);
  const onData = (d: Buffer) => { out = (out + d.toString()).slice(-30_000); file.write(d); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let expected = false;
  const exited = new Promise<void>((r) => child.once('exit', (code, signal) => {
    file.end(`--- ${new Date().toISOString()} exited (${code ?? signal})${expected ? '' : ' unexpectedly'}\n`);
    if (!expected) unexpectedExits.push({ name, at: Date.now(), code, signal, log: out.slice(-5000) });
    r();
  }));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => { clearInterval(poll); reject(new Error(`${name} did not start within ${timeoutMs} ms\n${out.slice(-3000)}`)); }, timeoutMs);
    const poll = setInterval(() => {
      const m = ready.exec(out);
      if (m) { clearInterval(poll); clearTimeout(timer); resolve(m); }
    }, 50);
    child.once('exit', (code, signal) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`${name} exited (${code ?? signal}) before it was ready\n${out.slice(-3000)}`)); });
  });
  const proc: Proc = {
    name,
    child,
    log: () => out,
    async kill() { expected = true; if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; } },
    stop: () => { expected = true; return stopChild(child, { graceMs: 10_000 }); },
  };
  return { proc, match };
}

export interface Services {
  natsUrl: string;
  dbUrl: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
}

export interface ApiHost extends Proc { url: string }

/** the cameras and S3 server here run on loopback, which the default allowed ranges leave out */
const LOOPBACK = '127.0.0.0/8';

/** an API host on a random port; `settings` are the env both hosts share */
export async function startApiHost(name: string, dir: string, svc: Services, settings: Record<string, string>): Promise<ApiHost> {
  const dataDir = join(dir, name);
  await mkdir(dataDir, { recursive: true });
  const { proc, match } = await startProc(name, 'functions/host.ts', {
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ADMIN_PASSWORD, TIME_ZONE: 'UTC', FACE_THREADS: '1',
    NATS_URL: svc.natsUrl, DATABASE_URL: svc.dbUrl, CAMERA_ALLOWED_RANGES: LOOPBACK, STORAGE_ALLOWED_RANGES: LOOPBACK,
    S3_ENDPOINT: svc.s3.endpoint, S3_BUCKET: svc.s3.bucket, S3_ACCESS_KEY_ID: svc.s3.accessKeyId, S3_SECRET_ACCESS_KEY: svc.s3.secretAccessKey,
    ...settings,
  }, /"port":(\d+)[^\n]*API listening/);
  return { ...proc, url: `http://127.0.0.1:${match[1]}` };
}

/** a stream node named `name`, its outbox in `dir`; one engine worker (two nodes share this machine's two cores) */
export async function startStreamNode(name: string, dir: string, svc: Services, settings: Record<string, string>): Promise<Proc> {
  const dataDir = join(dir, name);
  await mkdir(dataDir, { recursive: true });
  const { proc } = await startProc(name, 'stream-node/main.ts', {
    NODE_NAME: name, DATA_DIR: dataDir, LOG_LEVEL: 'info', FACE_THREADS: '1', FACE_WORKERS: '1', FACE_ARENA: '0',
    NATS_URL: svc.natsUrl, CAMERA_ALLOWED_RANGES: LOOPBACK,
    // each node its own free port: two nodes on the default 9464 left the second without /metrics
    METRICS_PORT: '0', METRICS_HOST: '127.0.0.1',
    S3_ENDPOINT: svc.s3.endpoint, S3_BUCKET: svc.s3.bucket, S3_ACCESS_KEY_ID: svc.s3.accessKeyId, S3_SECRET_ACCESS_KEY: svc.s3.secretAccessKey,
    ...settings,
  }, /stream node started/);
  return proc;
}

export type Reply = { code: number; msg: string; [k: string]: any };

/** POST a JSON body to a host */
export async function call(url: string, uri: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Reply> {
  const res = await fetch(url + uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  return (await res.json()) as Reply;
}

/** multipart upload to /UploadPersonPicture */
export async function upload(url: string, session: string, data: Buffer): Promise<Reply> {
  const form = new FormData();
  form.append('session', session);
  form.append('file', new Blob([new Uint8Array(data)], { type: 'image/jpeg' }), 'face.jpg');
  return (await (await fetch(`${url}/UploadPersonPicture`, { method: 'POST', body: form })).json()) as Reply;
}
