/**
 * `npm start` as an operator runs it: infra/start.sh builds dist/ and starts node on the build (not
 * the TypeScript sources), with malloc tuned. The built host must find everything the sources find
 * through their own paths: the migrations, the PGlite worker, the face worker and the models.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/services/ports.ts';
import { md5 } from '../support/api.ts';
import { makeFixtures } from './fixtures.ts';

const ADMIN_PASSWORD = 'launcher-admin';


function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

describe('npm start (infra/start.sh host)', () => {
  let dataDir: string;
  let child: ChildProcess;
  let url: string;
  let stderr = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'facewatch-launch-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn('bash', ['infra/start.sh', 'host'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`launcher exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`host did not answer in 120 s: ${stderr}`);
      try {
        await fetch(url);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }, 150_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call = async (uri: string, body: object) =>
    (await (await fetch(url + uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;

  it('runs node on the build, in the launcher\'s own process, with malloc tuned', () => {
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(argv.slice(-1)[0]).toBe('dist/functions/host.js');
    expect(argv.join(' ')).not.toMatch(/tsx/);
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
    // glibc cuts the variable at its first ':' in the process's own copy while parsing it
    expect(environ.find((v) => v.startsWith('GLIBC_TUNABLES='))).toMatch(/^GLIBC_TUNABLES=glibc\.malloc\.arena_max=2\b/);
  });

  it('serves the API from the build: migrations applied, a face enrolled through the built face worker', async () => {
    const login = await call('/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) });
    expect(login.code).toBe(0);
    const session = String(login.session);
    const fx = await makeFixtures();
    const form = new FormData();
    form.set('session', session);
    form.set('file', new Blob([fx.alice], { type: 'image/jpeg' }), 'alice.jpg');
    const up = (await (await fetch(`${url}/UploadPersonPicture`, { method: 'POST', body: form })).json()) as Record<string, unknown>;
    expect(up.code).toBe(0);
    const lib = await call('/AddLibrary', { session, name: 'launch' });
    expect(lib.code).toBe(0);
    const libId = lib.lib_id;
    const added = await call('/AddPerson', { session, lib_id: libId, name: 'Alice', pic_url: up.pic_url });
    expect(added).toMatchObject({ code: 0 });
    const same = await call('/Compare1V1', { session, first_pic: up.pic_url, second_pic: up.pic_url });
    expect(same.code).toBe(0);
    expect(Number(same.similarity)).toBeGreaterThan(0.99);
  }, 60_000);

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  }, 30_000);
});

describe('npm run stream-node (infra/start.sh stream-node)', () => {
  it('refuses a bad setting from the build with exit code 2, naming the variable', async () => {
    const child = spawn('bash', ['infra/start.sh', 'stream-node'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NATS_URL: 'nats://127.0.0.1:1', CAPACITY: 'many' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = ''; // the node logs its fatal line (pino, JSON) on stdout
    child.stdout!.on('data', (d) => { output += d; });
    child.stderr!.on('data', (d) => { output += d; });
    expect(await exited(child)).toBe(2);
    expect(output).toMatch(/bad environment: CAPACITY/);
    expect(output).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('refuses a bad SEMI_SPACE_MB before building or starting anything, naming it', async () => {
    const child = spawn('bash', ['infra/start.sh', 'host'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SEMI_SPACE_MB: 'lots' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    expect(await exited(child)).toBe(2);
    expect(stderr).toMatch(/SEMI_SPACE_MB must be a whole number of MB .*got 'lots'/);
  }, 60_000);

  it('refuses an unknown role', async () => {
    const child = spawn('bash', ['infra/start.sh', 'mainframe'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    expect(await exited(child)).toBe(2);
    expect(stderr).toMatch(/usage: infra\/start.sh host\|stream-node/);
  });
});
