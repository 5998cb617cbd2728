/**
 * Cameras shared among stream nodes by leases, over a real nats-server (JetStream KV) and over the
 * in-process bus.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, createMemoryBus, type Bus, type LeaseSpec } from '../../core/bus/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { CameraAssigner, fairShares } from '../../stream-node/share/camera-assigner.ts';
import { until } from './helpers.ts';

let nats: NatsServer;
beforeAll(async () => { nats = await startNatsServer(); });
afterAll(async () => { await nats?.stop(); });


let n = 0;
const TTL = 1500;
const TICK = 300;

describe.each([
  ['nats', () => connectNatsBus({ servers: nats.url })],
  ['memory', async () => createMemoryBus()],
])('%s leases', (kind, open) => {
  const buses: Bus[] = [];
  const assigners: CameraAssigner[] = [];
  let shared: Bus | undefined;
  /** a node's own connection (in-process, all nodes share the one bus) */
  const bus = async () => {
    if (kind === 'memory') return (shared ??= await open());
    const b = await open();
    buses.push(b);
    return b;
  };
  const spec = (ttlMs = TTL): LeaseSpec => ({ bucket: `leases_${process.pid}_${++n}`, ttlMs });
  afterEach(async () => {
    for (const a of assigners.splice(0)) await a.stop({ release: false });
    for (const b of buses.splice(0)) await b.close();
    await shared?.close();
    shared = undefined;
  });

  /** when each node's connection last came back (its grace runs from then, not from the server's start) */
  const reconnectedAt = new Map<string, number>();
  /** a node (capacity 10) on its own connection, told when it drops; its hand-overs go to `events` */
  const logged = async (s: LeaseSpec, name: string, wanted: number[], events: string[], o: { graceMs?: number } = {}) => {
    const b = await bus();
    const a = new CameraAssigner({ leases: await b.leases(s), node: name, capacity: 10, tickMs: TICK, ...o });
    b.onConnection?.((up) => {
      if (up) reconnectedAt.set(name, Date.now());
      return up ? a.connectionRestored() : a.connectionLost();
    });
    a.setWanted(wanted);
    a.on('acquired', (id) => events.push(`${name}+${id}`));
    a.on('released', (id, why) => events.push(`${name}-${id}:${why}`));
    assigners.push(a);
    return a;
  };

  it('a lease has one owner; it is renewed by its owner, released, and free again after the TTL', async () => {
    const s = spec();
    const a = await (await bus()).leases(s);
    const b = await (await bus()).leases(s);
    expect(await a.acquire('camera.1', 'A')).toBe(true);
    expect(await b.acquire('camera.1', 'B')).toBe(false);
    expect(await a.acquire('camera.1', 'A')).toBe(true); // already A's
    expect(await b.renew('camera.1', 'B')).toBe(false);
    expect(await a.renew('camera.1', 'A')).toBe(true);
    expect(await b.acquire('camera.2', 'B')).toBe(true);
    expect(Object.fromEntries(await b.holders())).toEqual({ 'camera.1': 'A', 'camera.2': 'B' });
    await b.release('camera.2', 'B');
    await b.release('camera.1', 'B'); // not B's: nothing happens
    expect(Object.fromEntries(await a.holders())).toEqual({ 'camera.1': 'A' });
    await a.release('camera.1', 'A');
    expect(await b.acquire('camera.1', 'B')).toBe(true);
    // B stops renewing (dies): after the TTL the key is free for A
    await until(async () => a.acquire('camera.1', 'A'), 'the lease to expire', TTL * 4);
    expect(Object.fromEntries(await b.holders())).toEqual({ 'camera.1': 'A' });
  });

  it('two nodes split the cameras evenly within capacity; a dead node\'s cameras go to the other', async () => {
    const s = spec();
    const wanted = [1, 2, 3, 4];
    const node = async (name: string) => {
      const a = new CameraAssigner({ leases: await (await bus()).leases(s), node: name, capacity: 3, tickMs: TICK });
      a.setWanted(wanted);
      assigners.push(a);
      return a;
    };
    const A = await node('A');
    A.start();
    await until(() => A.cameras.length === 3, 'A to take its capacity');
    await new Promise((r) => setTimeout(r, 3 * TICK));
    expect(A.cameras).toHaveLength(3); // never beyond capacity
    const B = await node('B');
    B.start();
    await until(() => A.cameras.length === 2 && B.cameras.length === 2, 'two cameras each');
    expect([...A.cameras, ...B.cameras].sort()).toEqual(wanted);

    const holders = await (await bus()).leases(s);
    const lostByA = A.cameras;
    await A.stop({ release: false }); // crash: A's leases expire on their own
    const t0 = Date.now();
    await until(() => B.cameras.length === 3, 'B to take over A\'s cameras up to its capacity', TTL * 4 + 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TTL / 2); // not before A's leases could expire
    expect(B.cameras.filter((c) => lostByA.includes(c))).toHaveLength(1);
    const h = await holders.holders();
    expect([...h].filter(([k]) => k.startsWith('camera.')).every(([, o]) => o === 'B')).toBe(true);
    expect([...h.keys()].filter((k) => k.startsWith('camera.'))).toHaveLength(3);
  });

  it('a node that joins a busy cluster gets its fair share: the busy node hands cameras over one at a time', async () => {
    const s = spec();
    const wanted = [1, 2, 3, 4];
    const events: string[] = [];
    const node = (name: string) => logged(s, name, wanted, events);
    const A = await node('A');
    A.start();
    await until(() => A.cameras.length === 4, 'A to take all four');
    const B = await node('B');
    const t0 = Date.now();
    B.start();
    // bounded: a release per tick of A, B takes each within its next tick
    await until(() => A.cameras.length === 2 && B.cameras.length === 2, 'two cameras each', 10 * TICK * 1.2 + 2000);
    const took = Date.now() - t0;
    expect([...A.cameras, ...B.cameras].sort()).toEqual(wanted);
    const handedOver = events.filter((e) => e.startsWith('A-'));
    expect(handedOver).toHaveLength(2);
    expect(handedOver.every((e) => e.endsWith(':rebalanced'))).toBe(true);
    // and it stays that way: no camera moves back and forth
    await new Promise((r) => setTimeout(r, 6 * TICK));
    expect(events.filter((e) => e.startsWith('A-') || e.startsWith('B-'))).toHaveLength(2);
    expect(A.cameras).toHaveLength(2);
    expect(B.cameras).toHaveLength(2);
    expect(took).toBeLessThan(10 * TICK * 1.2 + 2000);
  });

  it('a camera a task starts wanting is taken at once, not at the next tick', async () => {
    const a = new CameraAssigner({ leases: await (await bus()).leases(spec()), node: 'A', capacity: 4, tickMs: 60_000 });
    assigners.push(a);
    const acquired: number[] = [];
    a.on('acquired', (id) => acquired.push(id));
    a.start();
    await new Promise((r) => setTimeout(r, 300)); // the first tick is over; the next is a minute away
    a.setWanted([5]);
    a.setWanted([5, 6]);
    await until(() => acquired.length === 2, 'both cameras', 5000);
    expect(acquired.sort()).toEqual([5, 6]);
  });

  it.runIf(kind === 'nats')('a nats-server outage moves no camera; a node that died during it loses its cameras after the grace', async () => {
    // A TTL (and grace) of 3 s, not 1.5: a lease request lost in the restart fails after 1 s at
    // least (core/bus/nats.ts), and B must re-assert within A's grace after that retry; production's
    // TTL is 10 s. CI saw B's first request wait 3.7 s (JetStream's default timeout then) and A take
    // B's cameras when its grace ran out. The rule tested is the same: grace = one TTL.
    const TTL = 3000;
    const s = spec(TTL);
    const wanted = [1, 2, 3, 4];
    const events: string[] = [];
    const node = (name: string) => logged(s, name, wanted, events, { graceMs: TTL });
    const A = await node('A');
    A.start();
    await until(() => A.cameras.length === 4, 'A to take all four');
    const B = await node('B');
    B.start();
    await until(() => A.cameras.length === 2 && B.cameras.length === 2, 'two cameras each');
    await new Promise((r) => setTimeout(r, 2 * TICK));
    const before = { A: A.cameras, B: B.cameras };
    events.length = 0;
    // down for twice the TTL: every lease lapses on the server, and a crash may lose the bucket
    await nats.restart({ downMs: 2 * TTL });
    await new Promise((r) => setTimeout(r, TTL + 6 * TICK));
    await nats.restart({ crash: true, downMs: 2 * TTL });
    await new Promise((r) => setTimeout(r, TTL + 6 * TICK));
    expect(events).toEqual([]); // nothing lost, nothing taken: never two nodes on one camera
    expect({ A: A.cameras, B: B.cameras }).toEqual(before);
    const h = await (await (await bus()).leases(s)).holders();
    expect(wanted.map((c) => h.get(`camera.${c}`))).toEqual(wanted.map((c) => (before.A.includes(c) ? 'A' : 'B')));

    // A dies while the bus is away: B takes its cameras once the grace is over, not before
    const outage = nats.restart({ downMs: 2 * TTL });
    await new Promise((r) => setTimeout(r, 300));
    await A.stop({ release: false });
    reconnectedAt.delete('B');
    await outage;
    await until(() => reconnectedAt.has('B'), 'B back on the bus', 10 * TTL);
    // measured from B's own reconnect: the server's restart may be seen late by this test on a busy machine
    const back = reconnectedAt.get('B')!;
    await until(() => B.cameras.length === 4, 'B to take A\'s cameras', 10 * TTL);
    expect(Date.now() - back).toBeGreaterThanOrEqual(TTL * 0.9);
  }, 120_000);

  it('fair shares: even, capped by capacity, the odd camera to who holds it', () => {
    expect(Object.fromEntries(fairShares(4, [{ name: 'A', capacity: 10 }, { name: 'B', capacity: 10 }]))).toEqual({ A: 2, B: 2 });
    expect(Object.fromEntries(fairShares(5, [{ name: 'A', capacity: 10, holding: 2 }, { name: 'B', capacity: 10, holding: 3 }]))).toEqual({ A: 2, B: 3 });
    expect(Object.fromEntries(fairShares(10, [{ name: 'A', capacity: 2 }, { name: 'B', capacity: 16 }, { name: 'C', capacity: 16 }]))).toEqual({ A: 2, B: 4, C: 4 });
    expect(Object.fromEntries(fairShares(40, [{ name: 'A', capacity: 16 }, { name: 'B', capacity: 16 }]))).toEqual({ A: 16, B: 16 });
    expect(Object.fromEntries(fairShares(0, [{ name: 'A', capacity: 16 }]))).toEqual({ A: 0 });
  });

  it('a node gives up cameras no task wants and frees them at once when it stops', async () => {
    const s = spec();
    const events: string[] = [];
    const A = new CameraAssigner({ leases: await (await bus()).leases(s), node: 'A', capacity: 10, tickMs: TICK });
    assigners.push(A);
    A.on('acquired', (id) => events.push(`+${id}`));
    A.on('released', (id, why) => events.push(`-${id}:${why}`));
    A.setWanted([5, 6]);
    A.start();
    await until(() => A.cameras.length === 2, 'both cameras');
    A.setWanted([6]);
    await until(() => A.cameras.length === 1, 'camera 5 given up');
    expect(A.cameras).toEqual([6]);
    await A.stop();
    expect(events.sort()).toEqual(['+5', '+6', '-5:unwanted', '-6:stopped']);
    const other = await (await bus()).leases(s);
    expect(await other.acquire('camera.6', 'B')).toBe(true); // freed, not waiting for the TTL
    expect([...(await other.holders()).keys()].filter((k) => k.startsWith('node.'))).toEqual([]); // and its presence
  });
});
