/**
 * The fault suite: the distributed stack, every part a real process on loopback (test/fault/stack.ts:
 * nats-server, a Postgres-protocol server, an S3 server, two API hosts, two stream nodes, an RTSP
 * server showing three enrolled faces on three cameras), runs one task while parts of it fail:
 *
 *   baseline; kill -9 an API host; nats-server down 3 s and 10 s; Postgres down 15 s; S3 down 15 s;
 *   kill -9 a stream node.
 *
 * For each, counted from the FACES stream itself (messages by their stream time) and the records
 * table: face messages published, records written, faces that joined a record (a better shot of an
 * appearance, or a new appearance within RECORD_PERIOD_MS: the returns rule, docs/api.md), lost (a
 * published message without its record that joined none, or a publish index missing from a track:
 * a face the node decided to send and never did),
 * duplicated (a message id stored or recorded twice), extra (a record of the same person on the same
 * camera less than a publish period after one from another track: the face recorded again, e.g.
 * after a camera moved between nodes), moved (a camera whose faces come from another node than its
 * previous ones: a hand-over, or two nodes reading it at once), the slowest call of a client polling
 * both API hosts every 200 ms (any code is an answer; one that waits for the outage to end is a
 * hang), and the recovery time
 * (from the end of the fault until every camera has a record captured after it and the matcher has
 * nothing pending). The table is printed; lost, duplicated and extra must be 0, no camera may move
 * but the dead node's, every error answer (a 5001, a refused connection) must come within 2 s and
 * no call may take 5 s (a client's call left waiting for the outage to end).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, LeaseBuckets, type Bus } from '../../core/bus/index.ts';
import { startPgliteServer, startS3Server, type PgliteServer, type S3Server } from '../../infra/services/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { makeFixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import {
  ADMIN_PASSWORD, call, md5, startApiHost, startStreamNode, unexpectedExits, upload, type ApiHost, type Proc, type Reply, type Services,
} from './stack.ts';

const PERIOD_MS = 4000; // one record per face track per period
const TTL_MS = 3000; // camera leases: a dead node's cameras move after this
const BOUND_MS = 2000; // an API call answers an outage within this (5001)
const HANG_MS = 5000; // no call, not even a slow success on a starved machine, takes this long
// RECORD_PERIOD_MS = the publish period: a face that stays is a record per period, as `extra`
// and the recovery (a fresh record on every camera) count them; the matcher merges the rest
const settings = {
  PUBLISH_PERIOD_MS: String(PERIOD_MS), LEASE_TTL_MS: String(TTL_MS), MATCHER_ACK_WAIT_MS: '3000',
  DESIRED_STATE_PERIOD_MS: '1000', DATABASE_MAX_CONNECTIONS: '4', RECORD_PERIOD_MS: String(PERIOD_MS),
};
// A track ends after TRACK_IDLE_MS unseen, and its face then starts a new track (a new record): on a
// machine so busy that a node analyses no frame for seconds, that is tracking under starvation, not
// a fault of the distributed stack, so the suite gives tracks 10 s.
const nodeSettings = { PUBLISH_PERIOD_MS: String(PERIOD_MS), LEASE_TTL_MS: String(TTL_MS), DETECT_WIDTH: '640', TRACK_IDLE_MS: '10000' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let nats: NatsServer;
let pg: PgliteServer;
let s3: S3Server;
let rtsp: RtspServer;
let svc: Services;
let bus: Bus & { connection: import('nats').NatsConnection };
let db: postgres.Sql;
const hosts: ApiHost[] = [];
const nodes: Proc[] = [];
let session = '';
let task = 0;
const cameras: number[] = [];
/** how many cameras the killed stream node held (they must move, and only they) */
let victimCameras = 0;
/** the API host killed on purpose: the only one whose calls may be refused, and only in its scenario */
const KILLED_HOST = 'api1';
/** how fetch ends a call to a killed host: refused, or cut while in flight */
const CUT = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']);

interface Window { name: string; start: number; end: number; recoveryMs?: number }
const windows: Window[] = [];
interface Call { at: number; host: string; ms: number; code: number | string }
const calls: Call[] = [];
let polling = false;
let poller: Promise<void> | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-fault-'));
  const fx = await makeFixtures();
  const faces = { alice: fx.alice, bob: fx.bob, carol: fx.carol };
  // a face standing still in front of each camera: one track each, the clip loops without a jump
  const clips = await Promise.all(Object.entries(faces).map(async ([name, photo]) => {
    const still = join(dir, `${name}.jpg`);
    await writeFile(still, photo);
    return { path: name, source: await makeTestVideo({ foreground: still, out: join(dir, `${name}.h264`), width: 640, height: 360, seconds: 2, gop: 25, foregroundWidth: 200, speed: 0, noise: 0, bitrate: '400k' }) };
  }));
  // all awaited and each kept as it runs, so afterAll stops the others when one fails to start
  const started = await Promise.allSettled([
    startNatsServer().then((x) => { nats = x; }),
    startPgliteServer({ sessions: 'many' }).then((x) => { pg = x; }),
    startS3Server().then((x) => { s3 = x; }),
    startRtspServer({ streams: clips }).then((x) => { rtsp = x; }),
  ]);
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  svc = { natsUrl: nats.url, dbUrl: pg.url, s3 };
  hosts.push(await startApiHost('api1', dir, svc, settings)); // first alone: it runs the migrations
  hosts.push(await startApiHost('api2', dir, svc, settings));
  bus = await connectNatsBus({ servers: nats.url, name: 'fault-test' });
  db = postgres(pg.url, { max: 1, onnotice: () => {}, connect_timeout: 5 });

  const api = hosts[0].url;
  session = (await call(api, '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) })).session;
  const ok = (r: Reply) => { if (r.code !== 0) throw new Error(JSON.stringify(r)); return r; };
  const lib = ok(await call(api, '/AddLibrary', { session, name: 'staff' })).lib_id;
  for (const [name, photo] of Object.entries(faces)) {
    const { pic_url } = ok(await upload(api, session, photo));
    ok(await call(api, '/AddPerson', { session, lib_id: lib, name, pic_url }));
    cameras.push(ok(await call(api, '/AddCamera', { session, name, rtsp: rtsp.urlFor(name) })).camera_id);
  }
  task = ok(await call(api, '/AddTask', { session, name: 'gate', camera_list1: cameras.join(','), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
  ok(await call(api, '/StartTask', { session, task_id: task }));
  nodes.push(...await Promise.all(['sn1', 'sn2'].map((n) => startStreamNode(n, dir, svc, nodeSettings))));
  await until(async () => (await freshCameras(0)) === cameras.length, 'a record from every camera', 120_000, () => nodes.map((n) => n.log()).join('\n'));

  polling = true;
  poller = (async () => {
    for (let i = 0; polling; i++) {
      const host = hosts[i % hosts.length];
      const at = Date.now();
      let code: number | string;
      try {
        code = (await call(host.url, '/QueryTaskCaptureRecord', { session, page_no: 1, page_size: 1, task_id: task }, AbortSignal.timeout(10_000))).code;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        code = err.name === 'TimeoutError' ? 'hang' : err.cause?.code ?? err.name;
      }
      calls.push({ at, host: host.name, ms: Date.now() - at, code });
      await sleep(200);
    }
  })();
}, 300_000);

afterAll(async () => {
  polling = false;
  await poller;
  await Promise.allSettled(nodes.map((n) => n.stop()));
  await Promise.allSettled(hosts.map((h) => h.stop()));
  await db?.end({ timeout: 1 });
  await bus?.close();
  await Promise.allSettled([nats?.stop(), pg?.stop(), s3?.stop(), rtsp?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** cameras with a record captured at or after `since` */
async function freshCameras(since: number): Promise<number> {
  const rows = await db`select camera_id, max(capture_time) as t from capture_records group by camera_id`.catch(() => []);
  return rows.filter((r) => new Date(r.t).getTime() >= since).length;
}

/** the matcher has taken and settled everything in the stream */
async function caughtUp(): Promise<boolean> {
  const jsm = await bus.connection.jetstreamManager();
  const info = await jsm.consumers.info('FACES', 'matcher');
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

/** runs `fault` (resolving when the fault is over), then waits until the stack has recovered */
async function scenario(name: string, fault: () => Promise<void>, opts: { recovery?: boolean } = {}): Promise<void> {
  const w: Window = { name, start: Date.now(), end: 0 };
  windows.push(w);
  await fault();
  const over = Date.now();
  const what = () => [...hosts, ...nodes].map((p) => `--- ${p.name}\n${p.log().slice(-3000)}`).join('\n');
  await until(async () => (await freshCameras(over)) === cameras.length && (await caughtUp()), `recovery after ${name}`, 120_000, what);
  if (opts.recovery !== false) w.recoveryMs = Date.now() - over;
  w.end = Date.now();
  // a host or node that ended by itself is a fault of the product, whatever the counts say
  expect(unexpectedExits.map((e) => `${e.name} exited (${e.code ?? e.signal}) during ${name}\n${e.log}`)).toEqual([]);
}

describe('faults in the distributed stack', () => {
  it('baseline', async () => {
    await scenario('baseline', async () => { await sleep(6000); }, { recovery: false });
  }, 180_000);

  it('kill -9 an API host', async () => {
    const victim = hosts.find((h) => h.name === KILLED_HOST)!;
    await scenario('kill -9 API host', async () => {
      await sleep(1000);
      await victim.kill(); // its matcher's messages in flight come again after the ack wait
    });
    hosts[hosts.indexOf(victim)] = await startApiHost(KILLED_HOST, dir, svc, settings);
  }, 180_000);

  it('nats-server down 3 s', async () => {
    await scenario('NATS down 3 s', () => nats.restart({ downMs: 3000 }));
  }, 180_000);

  it('nats-server down 10 s', async () => {
    await scenario('NATS down 10 s', () => nats.restart({ downMs: 10_000 }));
  }, 180_000);

  it('Postgres down 15 s', async () => {
    await scenario('Postgres down 15 s', () => pg.restart({ downMs: 15_000 }));
  }, 180_000);

  it('S3 down 15 s', async () => {
    await scenario('S3 down 15 s', () => s3.restart({ downMs: 15_000 }));
  }, 180_000);

  it('kill -9 a stream node', async () => {
    const leases = await bus.leases({ ...LeaseBuckets.cameras, ttlMs: TTL_MS });
    const held = new Map<string, number>();
    for (const [key, owner] of await leases.holders()) if (key.startsWith('camera.')) held.set(owner, (held.get(owner) ?? 0) + 1);
    const busiest = [...held].sort((a, b) => b[1] - a[1])[0][0];
    victimCameras = held.get(busiest)!;
    const victim = nodes.find((n) => n.name === busiest)!;
    await scenario('kill -9 stream node', () => victim.kill());
  }, 180_000);

  it('nothing lost, nothing doubled, nothing hung', async () => {
    const table = await tabulate();
    console.log(`\nfault suite (publish period ${PERIOD_MS / 1000} s, lease TTL ${TTL_MS / 1000} s, 3 cameras, 2 API hosts, 2 stream nodes)\n${render(table)}`);
    expect(table.map((r) => r.scenario)).toEqual(windows.map((w) => w.name));
    for (const r of table) {
      expect({ scenario: r.scenario, lost: r.lost, duplicated: r.duplicated, extra: r.extra }).toEqual({ scenario: r.scenario, lost: 0, duplicated: 0, extra: 0 });
      expect(r.moved, `${r.scenario}: cameras moved`).toBe(r.scenario === 'kill -9 stream node' ? victimCameras : 0);
      expect(r.published, r.scenario).toBeGreaterThan(0);
      // an error answer (5001 while Postgres is away) within the bound; a success may be slower on
      // a starved machine (the one-engine test database catching up), but no call waits for the outage
      expect(r.slowestErrorMs, `${r.scenario}: slowest error answer`).toBeLessThanOrEqual(BOUND_MS);
      expect(r.slowestMs, `${r.scenario}: slowest API call`).toBeLessThan(HANG_MS);
      // every call is answered (any code); a refused connection only from the host killed on purpose
      const allowed = (c: Call) => r.scenario === 'kill -9 API host' && c.host === KILLED_HOST && CUT.has(String(c.code));
      expect(r.unanswered.filter((c) => !allowed(c)).map((c) => `${c.host}: ${c.code}`), `${r.scenario}: calls not answered`).toEqual([]);
    }
  }, 120_000);
});

interface Row { scenario: string; published: number; recorded: number; joined: number; lost: number; duplicated: number; extra: number; moved: number; recoveryS: string; slowestMs: number; slowestErrorMs: number; slowest: string; codes: string; unanswered: Call[] }

/** what each window published and recorded, from the FACES stream and the records table */
async function tabulate(): Promise<Row[]> {
  const jsm = await bus.connection.jetstreamManager();
  const { state } = await jsm.streams.info('FACES');
  const msgs: Array<{ time: number; id: string; camera: number; node: string; captured: number; appearance?: string }> = [];
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage('FACES', { seq }).catch(() => undefined);
    if (!m) continue;
    const f = m.json() as { message_id: string; camera_id: number; node: string; capture_time: number; appearance?: string };
    msgs.push({ time: m.time.getTime(), id: f.message_id, camera: f.camera_id, node: f.node, captured: f.capture_time, appearance: f.appearance });
  }
  const records = await db`select message_id, camera_id, person_id, classify, capture_time from capture_records where task_id = ${task}`;
  // the appearances the matcher decided on: a message of one joined that appearance's record
  const joined = new Set((await db`select camera_id, appearance from record_appearances where task_id = ${task}`).map((a) => `${a.camera_id}/${a.appearance}`));
  const recordsById = new Map<string, number>();
  for (const r of records) recordsById.set(r.message_id, (recordsById.get(r.message_id) ?? 0) + 1);
  const firstTime = new Map<string, number>();
  for (const m of msgs) if (!firstTime.has(m.id)) firstTime.set(m.id, m.time);
  const windowOf = (t: number) => windows.find((w) => t >= w.start && t < w.end);

  // a publish index missing in a track: <node>-<run>-<track>-<index>-<camera>-<task>
  const parse = (id: string) => { const m = /^(.+)-(\d+)-\d+-\d+$/.exec(id); return m ? { track: m[1], index: Number(m[2]) } : undefined; };
  const holes = new Map<Window, number>();
  const byTrack = new Map<string, Array<{ index: number; time: number }>>();
  for (const [id, time] of firstTime) {
    const p = parse(id);
    if (p) byTrack.set(p.track, [...(byTrack.get(p.track) ?? []), { index: p.index, time }]);
  }
  for (const list of byTrack.values()) {
    list.sort((a, b) => a.index - b.index);
    for (let i = 1; i < list.length; i++) {
      const w = windowOf(list[i].time);
      if (w && list[i].index - list[i - 1].index > 1) holes.set(w, (holes.get(w) ?? 0) + list[i].index - list[i - 1].index - 1);
    }
  }
  // the same person on the same camera recorded again within a period, from another track
  const extra = new Map<Window, number>();
  const seen = new Map<string, Array<{ t: number; track: string }>>();
  for (const r of [...records].filter((x) => x.classify === 1).sort((a, b) => new Date(a.capture_time).getTime() - new Date(b.capture_time).getTime())) {
    const key = `${r.camera_id}/${r.person_id}`;
    const t = new Date(r.capture_time).getTime();
    const track = parse(r.message_id)?.track ?? r.message_id;
    const earlier = seen.get(key) ?? [];
    if (earlier.some((e) => e.track !== track && t - e.t < PERIOD_MS)) {
      const w = windowOf(firstTime.get(r.message_id) ?? 0);
      if (w) extra.set(w, (extra.get(w) ?? 0) + 1);
    }
    seen.set(key, [...earlier, { t, track }]);
  }

  // a camera's faces coming from another node than the ones before: the camera changed hands
  const moved = new Map<Window, number>();
  for (const camera of cameras) {
    const seq = msgs.filter((m) => m.camera === camera).sort((a, b) => a.captured - b.captured);
    for (let i = 1; i < seq.length; i++) {
      const w = windowOf(seq[i].time);
      if (w && seq[i].node !== seq[i - 1].node) moved.set(w, (moved.get(w) ?? 0) + 1);
    }
  }

  return windows.map((w) => {
    const inWindow = msgs.filter((m) => m.time >= w.start && m.time < w.end);
    const ids = new Set(inWindow.map((m) => m.id));
    const recorded = [...ids].filter((id) => recordsById.has(id)).length;
    const joinedIds = new Set(inWindow.filter((m) => !recordsById.has(m.id) && m.appearance && joined.has(`${m.camera}/${m.appearance}`)).map((m) => m.id));
    const recordDups = [...ids].reduce((n, id) => n + Math.max(0, (recordsById.get(id) ?? 0) - 1), 0);
    const windowCalls = calls.filter((c) => c.at >= w.start && c.at < w.end);
    const codes = new Map<string, number>();
    // an unanswered call is shown with its host: `ECONNREFUSED@api1`
    for (const c of windowCalls) { const k = typeof c.code === 'number' ? String(c.code) : `${c.code}@${c.host}`; codes.set(k, (codes.get(k) ?? 0) + 1); }
    return {
      scenario: w.name,
      published: ids.size,
      recorded,
      joined: joinedIds.size,
      lost: ids.size - recorded - joinedIds.size + (holes.get(w) ?? 0),
      duplicated: inWindow.length - ids.size + recordDups,
      extra: extra.get(w) ?? 0,
      moved: moved.get(w) ?? 0,
      recoveryS: w.recoveryMs === undefined ? '-' : (w.recoveryMs / 1000).toFixed(1),
      slowestMs: Math.max(0, ...windowCalls.map((c) => c.ms)),
      slowestErrorMs: Math.max(0, ...windowCalls.filter((c) => c.code !== 0).map((c) => c.ms)),
      slowest: ((c) => (c ? `${c.ms} (${c.code}, ${c.host})` : '-'))([...windowCalls].sort((a, b) => b.ms - a.ms)[0]),
      codes: [...codes].map(([c, n]) => `${c}:${n}`).join(' '),
      unanswered: windowCalls.filter((c) => typeof c.code !== 'number'),
    };
  });
}

function render(rows: Row[]): string {
  const head = ['scenario', 'published', 'recorded', 'joined a record', 'lost', 'duplicated', 'extra', 'cameras moved', 'recovery s', 'slowest call ms (code, host)', 'client codes (code:calls)'];
  const cells = rows.map((r) => [r.scenario, r.published, r.recorded, r.joined, r.lost, r.duplicated, r.extra, r.moved, r.recoveryS, r.slowest, r.codes].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
