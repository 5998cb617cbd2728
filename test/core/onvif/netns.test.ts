import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../support/onvif-netns-discover.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const ns = `fw-onvif-${process.pid}`;

// Real multicast WS-Discovery, confined to a network namespace this test creates: its own loopback
// with multicast on and 239.0.0.0/8 routed to it. Nothing reaches the machine's own interfaces.
describe('WS-Discovery over multicast inside a network namespace', () => {
  let unavailable = '';

  beforeAll(async () => {
    try {
      await run('ip', ['netns', 'add', ns]);
    } catch (e) {
      unavailable = `cannot create a network namespace (needs root and iproute2): ${(e as Error).message.split('\n')[0]}`;
      console.warn(`[onvif netns] skipped: ${unavailable}`);
      return;
    }
    for (const args of [['link', 'set', 'lo', 'up'], ['link', 'set', 'lo', 'multicast', 'on'], ['route', 'add', '239.0.0.0/8', 'dev', 'lo']]) {
      await run('ip', ['netns', 'exec', ns, 'ip', ...args]);
    }
  });

  afterAll(async () => {
    if (!unavailable) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  });

  it('finds every device once, with its manufacturer', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script], { timeout: 60_000, cwd: repoRoot });
    const { sims, found } = JSON.parse(stdout.trim().split('\n').pop()!) as {
      sims: { ip: string; probes: number }[];
      found: { ip: string; manufacturer: string }[];
    };
    // every responder got the one multicast Probe
    expect(sims.map((s) => s.probes)).toEqual([1, 1, 1]);
    expect(found.sort((a, b) => a.ip.localeCompare(b.ip))).toEqual(
      [
        { ip: sims[0].ip, manufacturer: 'Acme Vision' },
        { ip: sims[1].ip, manufacturer: 'Hidden Maker' },
        { ip: sims[2].ip, manufacturer: 'Echo' },
      ].sort((a, b) => a.ip.localeCompare(b.ip)),
    );
  });
});
