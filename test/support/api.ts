/**
 * Starts the real API host (functions/host.ts) on an ephemeral port over one of two backends and
 * talks to it over HTTP:
 *   embedded: PGlite in a temp dir + local object store in a temp dir
 *   wire:     postgres.js to a PGlite socket server + an S3 server (infra/services)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startHost, type RunningHost } from '../../functions/host.ts';
import type { Logger } from '../../core/log.ts';

export type Backend = 'embedded' | 'wire';
export const backends: Backend[] = ['embedded', 'wire'];

export const ADMIN_PASSWORD = 'admin-secret-for-tests';
/** The tests' cameras, ONVIF devices and S3 servers run on loopback, which the default ranges leave out. */
export const LOOPBACK_ALLOWED = { CAMERA_ALLOWED_RANGES: '127.0.0.0/8,::1/128,10.0.0.0/8,192.168.0.0/16', STORAGE_ALLOWED_RANGES: '127.0.0.0/8,::1/128' };
export const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export type Reply = { code: number; msg: string; [k: string]: any };
export type CallOptions = { session?: string | null; headers?: Record<string, string> };

export interface Api {
  readonly backend: Backend;
  readonly url: string;
  readonly host: RunningHost;
  /** admin's session, after login() */
  session: string;
  /** POST a JSON body; adds `session` unless options.session is null */
  call(uri: string, body?: Record<string, unknown>, options?: CallOptions): Promise<Reply>;
  raw(uri: string, init: RequestInit): Promise<Response>;
  login(username?: string, password?: string): Promise<string>;
  /** multipart upload to /UploadPersonPicture; the session goes in the form unless options.session is null */
  upload(data: Buffer, filename?: string, options?: CallOptions & { field?: string; type?: string }): Promise<Reply>;
  /** stop the host and start it again on the same database and store */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
  /** wire only: stop the database / S3 server under the running host */
  stopDatabase(): Promise<void>;
  stopObjectStore(): Promise<void>;
}

type Wire = { dbUrl: string; s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string }; stopDb(): Promise<void>; stopS3(): Promise<void>; stop(): Promise<void> };

async function startWire(): Promise<Wire> {
  const { startPgliteServer, startS3Server } = await import('../../infra/services/index.ts');
  const [pg, s3] = await Promise.all([startPgliteServer(), startS3Server()]);
  return {
    dbUrl: pg.url,
    s3,
    stopDb: () => pg.stop(),
    stopS3: () => s3.stop(),
    stop: async () => { await Promise.allSettled([pg.stop(), s3.stop()]); },
  };
}

/** `log`: the host's logger (default: from LOG_LEVEL, silent) */
export async function startApi(backend: Backend, extraEnv: Record<string, string> = {}, log?: Logger): Promise<Api> {
  const dataDir = mkdtempSync(join(tmpdir(), `api-${backend}-`));
  const wire = backend === 'wire' ? await startWire() : undefined;
  const env: Record<string, string> = {
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_PASSWORD, TIME_ZONE: 'Asia/Shanghai', FACE_THREADS: '1',
    VALIDATE_RESPONSES: process.env.VALIDATE_RESPONSES ?? '0', // on in the suite (vitest.config.ts)
    ...LOOPBACK_ALLOWED,
    ...(wire ? {
      DATABASE_URL: wire.dbUrl, DATABASE_MAX_CONNECTIONS: '1',
      S3_ENDPOINT: wire.s3.endpoint, S3_BUCKET: wire.s3.bucket, S3_ACCESS_KEY_ID: wire.s3.accessKeyId, S3_SECRET_ACCESS_KEY: wire.s3.secretAccessKey,
    } : {}),
    ...extraEnv,
  };
  let host = await startHost(env, log);

  const api: Api = {
    backend,
    get url() { return host.url; },
    get host() { return host; },
    session: '',
    async raw(uri, init) {
      return fetch(host.url + uri, { method: 'POST', ...init });
    },
    async call(uri, body = {}, options = {}) {
      const session = options.session === undefined ? api.session : options.session;
      const payload = session === null || session === '' ? body : { session, ...body };
      const res = await fetch(host.url + uri, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(payload),
      });
      return (await res.json()) as Reply;
    },
    async upload(data, filename = 'face.jpg', options = {}) {
      const form = new FormData();
      const session = options.session === undefined ? api.session : options.session;
      if (session) form.append('session', session);
      form.append(options.field ?? 'file', new Blob([new Uint8Array(data)], { type: options.type ?? 'image/jpeg' }), filename);
      const res = await fetch(host.url + '/UploadPersonPicture', { method: 'POST', body: form, headers: options.headers });
      return (await res.json()) as Reply;
    },
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const r = await api.call('/Login', { username, password: md5(password) }, { session: null });
      if (r.code !== 0) throw new Error(`login failed: ${JSON.stringify(r)}`);
      if (username === 'admin') api.session = r.session;
      return r.session as string;
    },
    async restart(more = {}) {
      await host.stop();
      Object.assign(env, more);
      host = await startHost(env, log);
    },
    async stopDatabase() {
      if (!wire) throw new Error('only the wire backend has a database server');
      await wire.stopDb();
    },
    async stopObjectStore() {
      if (!wire) throw new Error('only the wire backend has an S3 server');
      await wire.stopS3();
    },
    async stop() {
      await host.stop().catch(() => {});
      await wire?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}
