/** The host as an operator starts it: a child process, refusing bad settings in one clear line. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/services/ports.ts';

function runHost(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/host.ts'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

describe('host start-up failures', () => {
  let dataDir: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'facewatch-host-'));
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    busy?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a bad variable stops it with exit code 2, naming the variable', async () => {
    const r = await runHost({ PORT: 'eighty', DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a port in use stops it with exit code 1 and one line saying so, no stack trace', async () => {
    const r = await runHost({ PORT: String(busyPort), HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_PASSWORD: 'x' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not start: .*EADDRINUSE.*set PORT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unreachable NATS_URL stops it with exit code 1 and one line naming NATS and the address', async () => {
    const closed = await freePort();
    const r = await runHost({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_PASSWORD: 'x', NATS_URL: `nats://127.0.0.1:${closed}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`could not start: cannot connect to NATS at nats://127\\.0\\.0\\.1:${closed}`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
