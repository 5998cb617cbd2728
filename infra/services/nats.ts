/**
 * A real nats-server (Debian package nats-server) with JetStream on loopback, for tests, benches and
 * developers: random port, JetStream store in a temp dir removed by stop(). restart() stops the
 * process and starts a new one on the same port and store, to test reconnects and durability.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild } from './child.ts';

export interface NatsServer {
  /** nats://127.0.0.1:<port> */
  url: string;
  port: number;
  /** JetStream store dir (inside a temp dir removed by stop()) */
  storeDir: string;
  /** pid of the running server (for CPU/RSS figures in benches) */
  pid(): number | undefined;
  /**
   * stops the server and starts it again on the same port and store; `crash` kills it (SIGKILL),
   * which may lose what JetStream had not yet written to its store; `downMs` keeps it down that
   * long before starting it again (an outage)
   */
  restart(opts?: { crash?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatsServer(opts: { bin?: string; startTimeoutMs?: number } = {}): Promise<NatsServer> {
  const bin = opts.bin ?? 'nats-server';
  const timeoutMs = opts.startTimeoutMs ?? 15_000;
  const dir = await mkdtemp(join(tmpdir(), 'facewatch-nats-'));
  const storeDir = join(dir, 'js');
  let child: ChildProcess | undefined;
  let port = -1; // nats-server picks a free port; we read it from its ports file
  try {
    ({ child, port } = await launch(bin, dir, storeDir, port, timeoutMs));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => child?.pid,
    async restart(o = {}) {
      await stopChild(child!, { signal: o.crash ? 'SIGKILL' : 'SIGTERM' });
      if (o.downMs) await sleep(o.downMs);
      ({ child } = await launch(bin, dir, storeDir, port, timeoutMs));
    },
    stop() {
      return (stopped ??= (async () => {
        await stopChild(child!);
        await rm(dir, { recursive: true, force: true });
      })());
    },
  };
}

async function launch(bin: string, dir: string, storeDir: string, port: number, timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  const portsDir = await mkdtemp(join(dir, 'ports-'));
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '--ports_file_dir', portsDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  let failed: Error | undefined;
  child.once('error', (e) => { failed = e; });
  child.once('exit', (code, signal) => { failed ??= new Error(`nats-server exited (${code ?? signal}) before it was ready\n${stderr}`); });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (failed) throw failed;
      const file = (await readdir(portsDir)).find((f) => f.endsWith('.ports'));
      if (file) {
        // Written once the client listener is up: {"nats":["nats://127.0.0.1:PORT"], ...}
        const text = await readFile(join(portsDir, file), 'utf8').catch(() => '');
        const m = /nats:\/\/[^"]*:(\d+)/.exec(text);
        if (m) return { child, port: Number(m[1]) };
      }
      if (Date.now() > deadline) throw new Error(`nats-server did not start within ${timeoutMs} ms\n${stderr}`);
      await sleep(25);
    }
  } catch (e) {
    await stopChild(child, { signal: 'SIGKILL' });
    throw e;
  } finally {
    await rm(portsDir, { recursive: true, force: true });
  }
}

