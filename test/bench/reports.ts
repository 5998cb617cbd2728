/**
 * npm run bench:reports — the operator outputs at size, on the embedded default (PGlite in DATA_DIR)
 * with the API host as `npm start` runs it (infra/start.sh), plus a nats-server so this process can
 * feed face messages to the host's matcher:
 *
 *   1. seeds, before the host starts (PGlite is single-process): a sign-in task over 1,000 persons
 *      with 1,000,000 records over 31 days (32 a person a day, entrance in the morning, exit after),
 *      a roll-call task over 10,000 persons with ~14,000 records in its window, then attendance_days
 *      rebuilt from the records (the start-up path for a new TIME_ZONE; timed), and a webhook backlog
 *      of 20,000 events (as after a receiver outage) for a loopback receiver;
 *   2. webhook: the time to drain the backlog into the receiver (events/s, signatures checked);
 *   3. reports, one request at a time (PGlite serves one query at a time), p50/p99 ms:
 *      QueryAttendance (1,000 persons x 31 days), with a status filter, QueryAttendanceSummary,
 *      QueryRollCall (10,000 persons), ExportAttendance;
 *   4. GET /Events fan-out: 50 clients on the stream while face messages are published on NATS; the
 *      time from a face's capture to each client receiving its event (p50/p99) and events/s.
 * The persons' HNSW index is dropped for the seed (no face is matched against them here).
 * Options: --records N --runs N --clients N --faces N --keep
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { connectNatsBus, encodeEmbedding, Streams, Subjects } from '../../core/bus/index.ts';
import { createObjectStore } from '../../core/storage/index.ts';
import { addDays, localDate, parseTime } from '../../core/time.ts';
import { openDatabase } from '../../db/client.ts';
import { createRepositories } from '../../db/repositories/index.ts';
import { stopChild } from '../../infra/services/child.ts';
import { startNatsServer } from '../../infra/services/nats.ts';
import { freePort } from '../../infra/services/ports.ts';
import { openSse, type SseClient } from '../support/sse.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '30' },
    clients: { type: 'string', default: '50' },
    faces: { type: 'string', default: '200' },
    backlog: { type: 'string', default: '20000' },
    keep: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(args.records);
const RUNS = Number(args.runs);
const CLIENTS = Number(args.clients);
const FACES = Number(args.faces);
const BACKLOG = Number(args.backlog);
const TZ = 'Asia/Shanghai';
const ADMIN_PASSWORD = 'bench-admin-password';
const SECRET = 'bench-webhook-secret';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const t0 = Date.now();
const say = (msg: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

const today = localDate(new Date(), TZ);
const D0 = addDays(today, -31); // the month: D0 .. D0+30
const ROLL_DAY = addDays(today, -1);
const ids = { attLib: 1, rollLib: 2, entrance: 1, exit: 2, rollCam: 3, signin: 1, roll: 2, live: 3 };

// ---------------------------------------------------------------------------------------------
// 1. seed

async function seed(dataDir: string, receiverUrl: string): Promise<{ rebuildMs: number }> {
  const db = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'db'), thread: 'main', maintenanceMinutes: 0 });
  const ex = (q: string) => db.orm.execute(sql.raw(q));
  try {
    await ex('drop index if exists persons_embedding_hnsw');
    const recIdx = await indexes(db, 'capture_records');
    for (const i of recIdx) await ex(`drop index "${i.name}"`);
    await ex(`insert into libraries (id, name) values (1, 'staff'), (2, 'school'), (3, 'nobody')`);
    await ex(`insert into cameras (id, name, rtsp) values (1, 'entrance', 'rtsp://10.0.0.1/s'), (2, 'exit', 'rtsp://10.0.0.2/s'), (3, 'hall', 'rtsp://10.0.0.3/s')`);
    const weekdays = JSON.stringify(Object.fromEntries([1, 2, 3, 4, 5].map((d) => [String(d), ['09:00-12:00', '13:00-18:00']])));
    await ex(`insert into tasks (id, name, type, interval, threshold, plan, late_grace, early_grace) values
      (1, 'sign-in', 3, 1000, 0.8, '${weekdays}', 5, 5), (2, 'roll call', 1, 1000, 0.8, '{"1":["08:00-09:00"],"2":["08:00-09:00"],"3":["08:00-09:00"],"4":["08:00-09:00"],"5":["08:00-09:00"],"6":["08:00-09:00"],"7":["08:00-09:00"]}', 0, 0),
      (3, 'live', 0, 1000, 0.8, '', 0, 0)`);
    await ex(`update tasks set alarm_stranger = 1 where id = 3`);
    await ex(`insert into task_cameras (task_id, camera_id, list, position) values (1, 1, 1, 0), (1, 2, 2, 0), (2, 3, 1, 0), (3, 3, 1, 0)`);
    // the live task matches against an empty library: the fan-out figures are the events', not the face search's
    await ex(`insert into task_libraries (task_id, lib_id, position) values (1, 1, 0), (2, 2, 0), (3, 3, 0)`);
    await ex(`select setval('libraries_id_seq', 3), setval('cameras_id_seq', 3), setval('tasks_id_seq', 3)`);
    say('seeding 11,000 persons');
    await ex(`insert into pictures (url, kind, content_type, bytes, width, height) values ('/pictures/2026/01/01/seed.jpg', 'person', 'image/jpeg', 1, 1, 1)`);
    const persons = (lib: number, n: number, from: number) => ex(`insert into persons (id, lib_id, name, pinyin, card_no, pic_url, embedding, create_time)
      select g, ${lib}, 'p' || g, 'p ' || lpad(g::text, 6, '0'), 'C' || g, '/pictures/2026/01/01/seed.jpg', array_fill(0.0442, array[512])::vector, now() - interval '90 days'
      from generate_series(${from}, ${from + n - 1}) g`);
    await persons(1, 1000, 1);
    await persons(2, 10_000, 1001);
    await ex(`select setval('persons_id_seq', 11000)`);
    const d0 = parseTime(`${D0} 00:00:00`, TZ)!.toISOString();
    say(`seeding ${RECORDS} sign-in records over 31 days`);
    // g -> person 1 + g % 1000; k = g / 1000 -> day k % 31, slot k / 31 (0..31): from 08:30 (+ up to 45 min, so
    // some arrive late and some leave early), 17 min a slot; slots 0-15 at the entrance, 16-31 at the exit
    await ex(`insert into capture_records (message_id, task_id, task_name, camera_id, camera_name, camera_list, lib_id, lib_name, person_id, person_name,
        classify, similarity, capture_time)
      select 'a-' || g, 1, 'sign-in', case when s < 16 then 1 else 2 end, case when s < 16 then 'entrance' else 'exit' end, case when s < 16 then 1 else 2 end,
        1, 'staff', 1 + g % 1000, 'p' || (1 + g % 1000), 1, 0.9,
        '${d0}'::timestamptz + make_interval(days => d, mins => 510 + s * 17) + random() * interval '45 minutes'
      from (select g, (g / 1000) % 31 as d, ((g / 1000) / 31) % 32 as s from generate_series(0, ${RECORDS - 1}) g) x`);
    say('seeding the roll call window: 7,000 of 10,000 persons seen twice');
    const w = parseTime(`${ROLL_DAY} 08:00:00`, TZ)!.toISOString();
    await ex(`insert into capture_records (message_id, task_id, task_name, camera_id, camera_name, camera_list, lib_id, lib_name, person_id, person_name,
        classify, similarity, capture_time)
      select 'r-' || g || '-' || k, 2, 'roll call', 3, 'hall', 1, 2, 'school', 1000 + g, 'p' || (1000 + g), 1, 0.9,
        '${w}'::timestamptz + random() * interval '59 minutes'
      from generate_series(1, 10000) g, generate_series(1, 2) k where g % 10 < 7`);
    say(`rebuilding ${recIdx.length} record indexes`);
    for (const i of recIdx) await ex(i.def);
    say('attendance days from the records (what a start with a new TIME_ZONE does)');
    const repos = createRepositories(db.orm);
    const t = Date.now();
    await repos.attendance.ensureZone(TZ);
    const rebuildMs = Date.now() - t;
    say(`  ${rebuildMs} ms`);
    say(`seeding a webhook backlog of ${BACKLOG} events on 20 cameras`);
    await ex(`insert into events (id, type, camera_id, data) select g, 'alarm', 1 + g % 20,
      '{"alarm_id":' || g || ',"type":2,"state":0,"camera_id":' || (1 + g % 20) || ',"person_name":"","similarity":0.41}' from generate_series(1, ${BACKLOG}) g`);
    await ex(`update event_seq set last = ${BACKLOG} where id = 1`);
    await ex(`update webhook_state set intake_cursor = 0 where id = 1`);
    await ex(`insert into system_config (name, config) values ('AlarmWebhook', '${JSON.stringify({ url: receiverUrl, secret: SECRET, events: ['alarm', 'capture', 'camera'], enabled: true })}')`);
    await ex('analyze');
    return { rebuildMs };
  } finally {
    await db.close();
  }
}

async function indexes(db: Awaited<ReturnType<typeof openDatabase>>, table: string) {
  const r = await db.orm.execute(sql.raw(`select indexname as name, indexdef as def from pg_indexes where tablename = '${table}' and indexdef not like 'CREATE UNIQUE%'`));
  return ((r as { rows?: unknown[] }).rows ?? (r as unknown[])) as Array<{ name: string; def: string }>;
}

// ---------------------------------------------------------------------------------------------
// 2. host, receiver

async function startServer(dataDir: string, natsUrl: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD, LOG_LEVEL: 'warn', TIME_ZONE: TZ, NATS_URL: natsUrl,
    EMBEDDED_STREAM_NODE: '0', WEBHOOK_ALLOWED_RANGES: '127.0.0.0/8', EVENTS_MAX_CLIENTS: String(CLIENTS + 10),
  };
  for (const k of ['DATABASE_URL', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) delete env[k];
  const child = spawn('bash', ['infra/start.sh', 'host'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${stderr}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server did not answer:\n${stderr}`); }
    try {
      await fetch(`${url}/Login`, { method: 'POST', body: '{}' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { url, child, stop: () => stopChild(child, { graceMs: 15_000 }) };
}

function startReceiver() {
  const got = { count: 0, first: 0, last: 0, badSignatures: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.headers['x-facewatch-signature'] !== `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`) got.badSignatures++;
      got.count++;
      got.last = Date.now();
      got.first ||= got.last;
      res.writeHead(204).end();
    });
  });
  return {
    got,
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`))),
    close: () => { server.closeAllConnections(); server.close(); },
  };
}

type Reply = { code: number; msg: string; [k: string]: any };
const call = async (url: string, uri: string, body: object): Promise<Reply> =>
  (await (await fetch(url + uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Reply;

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function timed(url: string, name: string, uri: string, body: object, runs = RUNS) {
  const ms: number[] = [];
  let size = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const r = await call(url, uri, body);
    const d = performance.now() - t;
    if (r.code !== 0) throw new Error(`${uri}: ${r.code} ${r.msg}`);
    size = r.info?.total_count ?? (r.data ? Buffer.from(r.data, 'base64').length : 0);
    if (i >= 2) ms.push(d); // two warm-up calls
  }
  const row = { name, p50: pct(ms, 50), p99: pct(ms, 99), runs, size };
  say(`${name}: p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms (${size})`);
  return row;
}

// ---------------------------------------------------------------------------------------------
// main

const dataDir = await mkdtemp(join(tmpdir(), 'facewatch-bench-reports-'));
const receiver = startReceiver();
const nats = await startNatsServer();
let server: Awaited<ReturnType<typeof startServer>> | undefined;
const clients: SseClient[] = [];
try {
  say(`load average at start: ${load()}`);
  const receiverUrl = await receiver.listen();
  const { rebuildMs } = await seed(dataDir, receiverUrl);
  say('starting the host');
  server = await startServer(dataDir, nats.url);
  const { url } = server;
  const session = (await call(url, '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) })).session as string;

  say(`webhook: draining the backlog of ${BACKLOG}`);
  const deadline = Date.now() + 600_000;
  while (receiver.got.count < BACKLOG && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const drain = { events: receiver.got.count, seconds: (receiver.got.last - receiver.got.first) / 1000, badSignatures: receiver.got.badSignatures };
  say(`  ${drain.events} in ${drain.seconds.toFixed(1)} s = ${(drain.events / drain.seconds).toFixed(0)} events/s, ${drain.badSignatures} bad signatures`);

  const month = { session, task_id: ids.signin, start_date: D0, end_date: addDays(D0, 30), page_no: 1, page_size: 100 };
  const rows = [
    await timed(url, 'QueryAttendance 1,000 persons x 31 days, page 1', '/QueryAttendance', month),
    await timed(url, 'QueryAttendance status=1 (late)', '/QueryAttendance', { ...month, status: 1 }),
    await timed(url, 'QueryAttendanceSummary, page 1', '/QueryAttendanceSummary', month),
    await timed(url, 'QueryRollCall 10,000 persons, page 1', '/QueryRollCall', { session, task_id: ids.roll, date: ROLL_DAY, window: 1, page_no: 1, page_size: 100 }),
    await timed(url, 'QueryRollCall present=1, page 50', '/QueryRollCall', { session, task_id: ids.roll, date: ROLL_DAY, window: 1, present: 1, page_no: 50, page_size: 100 }),
    await timed(url, 'ExportAttendance (whole month)', '/ExportAttendance', { session, task_id: ids.signin, start_date: D0, end_date: addDays(D0, 30) }, 5),
  ];

  say(`GET /Events: ${CLIENTS} clients, ${FACES} strangers published (a capture and an alarm each)`);
  for (let i = 0; i < CLIENTS; i++) clients.push(await openSse(`${url}/Events`, { 'x-session': session }));
  const bus = await connectNatsBus({ servers: nats.url, name: 'bench' });
  await bus.ensureStream(Streams.FACES);
  const store = await createObjectStore({ kind: 'local', dir: join(dataDir, 'objects') });
  const crop = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==', 'base64');
  const pubStart = Date.now();
  const published = new Map<string, number>();
  for (let i = 0; i < FACES; i++) {
    const id = `bench-${randomUUID()}`;
    published.set(id, Date.now());
    const key = `captures/${today}/${ids.rollCam}/${id}.jpg`;
    await store.put(key, crop, 'image/jpeg');
    const v = Float32Array.from({ length: 512 }, () => Math.random() - 0.5);
    await bus.publish(Subjects.faces(ids.live, ids.rollCam), {
      message_id: id, task_id: ids.live, camera_id: ids.rollCam, camera_list: 1, capture_time: Date.now(), box: { x: 0, y: 0, width: 100, height: 100 },
      quality: 0.9, embedding: encodeEmbedding(v), capture_url: key, node: 'bench',
    }, { msgId: id });
  }
  const expected = FACES * 2;
  await Promise.all(clients.map((c) => c.until((ev) => ev.length >= expected, `${expected} events`, 600_000)));
  const allIn = Date.now();
  // publish → received by the client, per capture event (the face's id is in its capture_url)
  const perEvent = clients.flatMap((c) => c.events.flatMap((e, i) => {
    if (e.event !== 'capture') return [];
    const id = /\/(bench-[^/]+)\.jpg$/.exec(JSON.parse(e.data).capture_url)?.[1];
    return id && published.has(id) ? [c.times[i] - published.get(id)!] : [];
  }));
  // fan-out itself: per event, from the first client receiving it to the last one
  const byId = new Map<string, number[]>();
  for (const c of clients) c.events.forEach((e, i) => { if (e.id) byId.set(e.id, [...(byId.get(e.id) ?? []), c.times[i]]); });
  const spread = [...byId.values()].filter((ts) => ts.length === CLIENTS).map((ts) => Math.max(...ts) - Math.min(...ts));
  const fanout = { clients: CLIENTS, events: expected, seconds: (allIn - pubStart) / 1000, p50: pct(perEvent, 50), p99: pct(perEvent, 99), s50: pct(spread, 50), s99: pct(spread, 99) };
  say(`  all ${CLIENTS} clients had all ${expected} events ${fanout.seconds.toFixed(1)} s after publishing began (${((expected * CLIENTS) / fanout.seconds).toFixed(0)} deliveries/s); publish→client p50 ${fanout.p50} ms, p99 ${fanout.p99} ms; first→last client p50 ${fanout.s50} ms, p99 ${fanout.s99} ms`);
  await bus.close();

  console.log(`\nbench:reports (embedded PGlite; TIME_ZONE ${TZ}; load average ${load()} at the end, ${(await import('node:os')).cpus().length} cores)\n`);
  console.log(`attendance_days rebuilt from ${RECORDS + 14000} records in ${rebuildMs} ms (start-up with a new TIME_ZONE)`);
  console.log('| query | p50 ms | p99 ms | rows / bytes | target |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.name} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.size} | ${r.name.startsWith('Export') ? '-' : `p99 < 300 ms: ${r.p99 < 300 ? 'yes' : 'NO'}`} |`);
  console.log(`\nwebhook backlog drain: ${drain.events} events in ${drain.seconds.toFixed(1)} s = ${(drain.events / drain.seconds).toFixed(0)} events/s to a loopback receiver (${drain.badSignatures} bad signatures)`);
  console.log(`GET /Events fan-out: ${CLIENTS} clients x ${expected} events (${FACES} faces through NATS and the matcher): all delivered ${fanout.seconds.toFixed(1)} s after publishing began; face published to event received p50 ${fanout.p50} ms, p99 ${fanout.p99} ms (the matcher's pace: ${(FACES / fanout.seconds).toFixed(1)} faces/s); one event from the first client to the last of ${CLIENTS} p50 ${fanout.s50} ms, p99 ${fanout.s99} ms`);
} finally {
  for (const c of clients) c.close();
  await server?.stop();
  await nats.stop();
  receiver.close();
  if (!args.keep) await rm(dataDir, { recursive: true, force: true });
  else say(`kept ${dataDir}`);
}
