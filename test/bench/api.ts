/**
 * npm run bench:api — throughput and latency of the management API on the embedded default (PGlite
 * in DATA_DIR, pictures in DATA_DIR/objects), with a realistic amount of data:
 *
 *   1. seeds 10 libraries, 100k persons (random unit 512-d embeddings, varied Chinese and Latin
 *      names with pinyin) and 1M capture records straight through the db layer into a fresh data
 *      dir, BEFORE the server starts (PGlite is single-process). Bulk SQL (INSERT ... SELECT
 *      generate_series), secondary indexes dropped during the load and rebuilt from their own
 *      definitions after it. The seeded dir is cached (see --cache) because building the HNSW index
 *      over 100k vectors in WebAssembly takes minutes; the bench itself then runs in about two.
 *   2. starts the real host as `npm start` does (infra/start.sh: build, then node dist/functions/host.js) on a free port,
 *   3. autocannon: /Login, /QueryPersonList (page 1; substring name filter), /QueryTaskCaptureRecord
 *      (page 1 over 1M; filtered), /AddPerson with a real single-face photo uploaded once,
 *   4. prints a table against the targets and the server's RSS (/proc/<pid>/status).
 *
 * Options: --persons N --records N --duration S --connections C --cache DIR|none --keep
 *          --explain (EXPLAIN ANALYZE the list queries, as db/repositories writes them, on the seed first)
 *          --wire (the same seed served by infra/services startPgliteServer, a PGlite in a child
 *                  process behind the Postgres wire protocol; the host uses DATABASE_URL with one
 *                  connection; RSS is then the host's plus the child's)
 * A response counts as an error unless HTTP 200 and "code": 0 (the API answers errors with 200).
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../db/client.ts';
import { startPgliteServer } from '../../infra/services/index.ts';
import { stopChild } from '../../infra/services/child.ts';
import { freePort } from '../../infra/services/ports.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    persons: { type: 'string', default: '100000' },
    records: { type: 'string', default: '1000000' },
    libraries: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    cache: { type: 'string', default: join(tmpdir(), 'facewatch-bench-seed') },
    keep: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    wire: { type: 'boolean', default: false },
  },
});
const PERSONS = Number(args.persons);
const RECORDS = Number(args.records);
const LIBRARIES = Number(args.libraries);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const ADMIN_PASSWORD = 'bench-admin-password';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const t0 = Date.now();
const say = (msg: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// 1. seed

/** SQL arrays of names; same index in the name and pinyin arrays. */
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗'];
const SURNAMES_PY = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'gao', 'lin', 'luo'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '文', '玉', '兰', '建', '国', '红'];
const GIVEN_PY = ['wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'juan', 'tao', 'ming', 'chao', 'xiu', 'xia', 'ping', 'gang', 'gui', 'ying', 'hua', 'wen', 'yu', 'lan', 'jian', 'guo', 'hong'];
const LATIN_FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Emma', 'Felix', 'Grace', 'Hugo', 'Ivy', 'Jonas', 'Kate', 'Liam', 'Mia', 'Noah', 'Olga', 'Paul'];
const LATIN_LAST = ['Smith', 'Müller', 'Garcia', 'Rossi', 'Dubois', 'Novak', 'Silva', 'Kowalski', 'Jensen', 'Murphy'];
const arr = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

async function seed(dbDir: string): Promise<void> {
  const db = await openDatabase({ kind: 'pglite', dataDir: dbDir });
  const ex = (q: string) => db.orm.execute(sql.raw(q));
  try {
    const defs = await dropSecondaryIndexes(db, ['persons', 'capture_records']);
    await ex(`insert into libraries (name, type, remark, create_time)
      select 'library ' || g, g % 2, 'bench', now() - (g || ' hours')::interval from generate_series(1, ${LIBRARIES}) g`);
    await ex(`insert into cameras (name, rtsp) select 'camera ' || g, 'rtsp://10.0.0.' || g || '/stream' from generate_series(1, 20) g`);
    await ex(`insert into tasks (name, interval, threshold) select 'task ' || g, 1000, 0.8 from generate_series(1, 5) g`);
    say(`seeding ${PERSONS} persons`);
    // each person's picture row (persons.pic_url references pictures.url)
    await ex(`insert into pictures (url, kind, content_type, bytes, width, height)
      select '/pictures/2026/01/01/seed-' || g || '.jpg', 'person', 'image/jpeg', 20000, 150, 150 from generate_series(1, ${PERSONS}) g`);
    // every 5th person has a Latin name; the rest a Chinese one of 2-3 characters with its pinyin
    await ex(`insert into persons (lib_id, name, pinyin, sex, card_no, phone, category, pic_url, remark, embedding, create_time)
      select 1 + g % ${LIBRARIES},
        case when g % 5 = 0 then lf || ' ' || ll else s || g1 || case when g % 3 = 0 then '' else g2 end end,
        case when g % 5 = 0 then lf || ' ' || ll else sp || ' ' || g1p || case when g % 3 = 0 then '' else ' ' || g2p end end,
        g % 3, '1101' || lpad(g::text, 14, '0'), '138' || lpad(((g::bigint * 7919) % 100000000)::text, 8, '0'), (g % 50 = 0)::int,
        '/pictures/2026/01/01/seed-' || g || '.jpg', '',
        l2_normalize((select array_agg(random() - 0.5) from generate_series(1, 512) d where g > 0)::vector(512)),
        now() - (g || ' seconds')::interval
      from (select g, si, a, b,
              (${arr(SURNAMES)})[si] s, (${arr(SURNAMES_PY)})[si] sp,
              (${arr(GIVEN)})[a] g1, (${arr(GIVEN_PY)})[a] g1p, (${arr(GIVEN)})[b] g2, (${arr(GIVEN_PY)})[b] g2p,
              (${arr(LATIN_FIRST)})[1 + g % ${LATIN_FIRST.length}] lf, (${arr(LATIN_LAST)})[1 + (g / 7) % ${LATIN_LAST.length}] ll
            from (select g, 1 + floor(random() * ${SURNAMES.length})::int si, 1 + floor(random() * ${GIVEN.length})::int a,
                         1 + floor(random() * ${GIVEN.length})::int b
                  from generate_series(1, ${PERSONS}) g) r) t`);
    say(`seeding ${RECORDS} capture records`);
    // 70 % matched to a person (names copied, as the API does), 30 % strangers; ~2.6 s apart
    await ex(`insert into capture_records (message_id, task_id, task_name, camera_id, camera_name, camera_list, lib_id, lib_name,
        person_id, person_name, sex, category, card_no, classify, similarity, pic_url, capture_url, quality, capture_time, create_time)
      select 'seed-' || g, 1 + g % 5, 'task ' || (1 + g % 5), 1 + g % 20, 'camera ' || (1 + g % 20), 1 + (g % 7 = 0)::int,
        p.lib_id, coalesce('library ' || p.lib_id, ''), p.id, coalesce(p.name, ''), coalesce(p.sex, 0), coalesce(p.category, 0),
        coalesce(p.card_no, ''), (p.id is not null)::int,
        case when p.id is null then 0.3 + random() * 0.4 else 0.8 + random() * 0.2 end,
        coalesce(p.pic_url, ''), '/captures/2026/01/01/seed-' || g || '.jpg', random(),
        now() - (g * 2.6 || ' seconds')::interval, now() - (g * 2.6 || ' seconds')::interval
      from generate_series(1, ${RECORDS}) g
      left join persons p on p.id = case when g % 10 < 7 then 1 + (g::bigint * 7919) % ${PERSONS} end`);
    say(`rebuilding ${defs.length} indexes (the HNSW one over ${PERSONS} vectors takes longest)`);
    await ex(`set maintenance_work_mem = '1GB'`);
    for (const d of defs) {
      const t = Date.now();
      await ex(d.def);
      say(`  ${d.name}: ${((Date.now() - t) / 1000).toFixed(1)}s`);
    }
    await ex('analyze');
  } finally {
    await db.close();
  }
}

/** Drops the non-unique, non-primary indexes of the tables and returns their definitions. */
async function dropSecondaryIndexes(db: Database, tables: string[]): Promise<Array<{ name: string; def: string }>> {
  const res = await db.orm.execute(sql.raw(`select indexname as name, indexdef as def from pg_indexes
    where schemaname = 'public' and tablename in (${tables.map((t) => `'${t}'`).join(',')})
      and indexdef not like 'CREATE UNIQUE%'`));
  const defs = rowsOf<{ name: string; def: string }>(res);
  for (const d of defs) await db.orm.execute(sql.raw(`drop index "${d.name}"`));
  return defs;
}

const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));

/** A fresh data dir with the seed: from the cache when it holds one for these migrations and sizes. */
async function seededDataDir(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facewatch-bench-'));
  const dbDir = join(dataDir, 'db');
  const migrations = readdirSync(join(root, 'db/migrations')).filter((f) => f.endsWith('.sql')).sort()
    .map((f) => readFileSync(join(root, 'db/migrations', f), 'utf8')).join('\n');
  const seedSource = readFileSync(fileURLToPath(import.meta.url), 'utf8').match(/async function seed[\s\S]*?\n}\n/)?.[0] ?? '';
  const key = createHash('sha256').update(`${migrations}|${seedSource}|${PERSONS}|${RECORDS}|${LIBRARIES}`).digest('hex').slice(0, 16);
  const cached = args.cache === 'none' ? null : join(args.cache, key);
  if (cached && existsSync(join(cached, 'PG_VERSION'))) {
    say(`seed from cache ${cached}`);
    await cp(cached, dbDir, { recursive: true });
    return dataDir;
  }
  await seed(dbDir);
  if (cached) {
    await mkdir(args.cache, { recursive: true });
    const tmp = `${cached}.tmp-${process.pid}`;
    await cp(dbDir, tmp, { recursive: true });
    await rename(tmp, cached).catch(() => rm(tmp, { recursive: true, force: true }));
    say(`seed cached in ${cached} (remove it or pass --cache none to seed afresh)`);
  }
  return dataDir;
}

/** The SQL of db/repositories' list queries (count, then page), for --explain. */
const LIST_QUERIES: Array<[string, string]> = [
  ['persons count', `select count(*) from persons`],
  ['persons page 1', `select p.id, l.name from persons p join libraries l on l.id = p.lib_id order by p.create_time desc, p.id desc limit 20`],
  ['persons name~ count', `select count(*) from persons where name ilike '%明%' or pinyin ilike '%明%'`],
  ['records count', `select count(*) from capture_records`],
  ['records page 1', `select * from capture_records order by capture_time desc, id desc limit 20`],
  ['records task+classify count', `select count(*) from capture_records where task_id = 2 and classify = 1`],
  ['records task+classify page 1', `select * from capture_records where task_id = 2 and classify = 1 order by capture_time desc, id desc limit 20`],
];

async function explain(dbDir: string): Promise<void> {
  const db = await openDatabase({ kind: 'pglite', dataDir: dbDir });
  try {
    for (const [name, q] of LIST_QUERIES) {
      const plan = rowsOf<Record<string, string>>(await db.orm.execute(sql.raw(`explain (analyze) ${q}`))).map((r) => Object.values(r)[0]);
      const nodes = plan.filter((l) => /Scan|Sort|Execution Time/.test(l)).map((l) => l.trim().replace(/\s*\(cost=[^)]*\)/, ''));
      console.log(`EXPLAIN ${name}:\n    ${nodes.join('\n    ')}`);
    }
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. server


async function startServer(dataDir: string, databaseUrl?: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD, LOG_LEVEL: 'warn' };
  for (const k of ['DATABASE_URL', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'NATS_URL']) delete env[k];
  if (databaseUrl) Object.assign(env, { DATABASE_URL: databaseUrl, DATABASE_MAX_CONNECTIONS: '1' });
  // the server as `npm start` runs it: the launcher builds dist/ and execs node on it with malloc
  // tuned, so the child's pid becomes the server's (for RSS)
  const child = spawn('bash', ['infra/start.sh', 'host'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${stderr}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server did not answer within 180 s:\n${stderr}`); }
    try {
      const r = await call(url, '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) });
      if (r.code === 0) break;
      throw new Error(`/Login answered ${JSON.stringify(r)}`);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // TypeError: fetch failed, not listening yet
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url, child,
    stop: () => stopChild(child, { graceMs: 15_000 }),
  };
}

type Reply = { code: number; msg: string; [k: string]: unknown };
async function call(url: string, uri: string, body: object): Promise<Reply> {
  const r = await fetch(url + uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as Reply;
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

// ---------------------------------------------------------------------------------------------
// 3. load

type Row = { name: string; reqPerSec: number; p50: number; p99: number; requests: number; errors: number; target: string; pass: boolean | null; note?: string };

async function load(url: string, name: string, uri: string, body: object, target: { minReqPerSec?: number; maxP99?: number }, opts: { connections?: number } = {}): Promise<Row> {
  let errors = 0;
  let firstError = '';
  const payload = JSON.stringify(body);
  const result = await autocannon({
    url: url + uri,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
    connections: opts.connections ?? CONNECTIONS,
    duration: DURATION,
    timeout: 30,
    requests: [{
      method: 'POST', path: uri, body: payload, headers: { 'content-type': 'application/json' },
      onResponse: (status: number, resBody: string) => {
        let code = -1;
        try { code = (JSON.parse(resBody) as Reply).code; } catch { /* not JSON: an error */ }
        if (status !== 200 || code !== 0) { errors++; firstError ||= `HTTP ${status} ${resBody.slice(0, 160)}`; }
      },
    }],
  });
  errors += result.errors + result.timeouts;
  const row: Row = {
    name,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors,
    target: [target.minReqPerSec ? `>= ${target.minReqPerSec}/s` : '', target.maxP99 ? `p99 < ${target.maxP99} ms` : ''].filter(Boolean).join(', ') || '-',
    pass: null,
    note: firstError || undefined,
  };
  if (target.minReqPerSec || target.maxP99) {
    row.pass = errors === 0 && (!target.minReqPerSec || row.reqPerSec >= target.minReqPerSec) && (!target.maxP99 || row.p99 < target.maxP99);
  }
  say(`${name}: ${row.reqPerSec.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${errors} errors`);
  return row;
}

/** A single-face photo to enrol: the shared fixtures when present (a fresh clone has none). */
function photoCandidates(): string[] {
  const out: string[] = [];
  const ids = join(root, '../shared/fixtures/faces/identities');
  if (existsSync(ids)) for (const who of readdirSync(ids).sort()) out.push(join(ids, who, '1.png'));
  const demo = join(root, 'node_modules/@vladmandic/face-api/demo');
  if (existsSync(demo)) for (const f of readdirSync(demo).sort()) if (/^sample.*\.jpe?g$/i.test(f)) out.push(join(demo, f));
  return out.filter((f) => existsSync(f));
}

async function uploadPhoto(url: string, session: string): Promise<{ picUrl: string; file: string } | { error: string }> {
  const tried: string[] = [];
  for (const file of photoCandidates()) {
    const form = new FormData();
    form.set('session', session);
    form.set('file', new Blob([readFileSync(file)], { type: file.endsWith('.png') ? 'image/png' : 'image/jpeg' }), file.split('/').pop());
    const up = (await (await fetch(`${url}/UploadPersonPicture`, { method: 'POST', body: form })).json()) as Reply;
    if (up.code !== 0) { tried.push(`${file}: upload ${up.code} ${up.msg}`); continue; }
    const picUrl = String(up.pic_url);
    const add = await call(url, '/AddPerson', { session, lib_id: 1, name: '试用', pic_url: picUrl });
    if (add.code === 0) return { picUrl, file };
    tried.push(`${file}: AddPerson ${add.code} ${add.msg}`);
  }
  const reasons = [...new Set(tried.map((t) => t.replace(/^[^:]*: /, '')))];
  return { error: tried.length ? `${tried.length} photos tried: ${reasons.slice(0, 3).join('; ')}` : 'no photo found (../shared/fixtures/faces or face-api demo samples)' };
}

/** Each face-api demo photo (1920 px wide) uploaded and compared with itself, 3 times; the answer codes. */
async function bigPhotos(url: string, session: string): Promise<string[]> {
  const demo = join(root, 'node_modules/@vladmandic/face-api/demo');
  const files = existsSync(demo) ? readdirSync(demo).filter((f) => /^sample\d\.jpg$/.test(f)).sort() : [];
  const codes: string[] = [];
  for (const f of files) {
    const form = new FormData();
    form.set('session', session);
    form.set('file', new Blob([readFileSync(join(demo, f))], { type: 'image/jpeg' }), f);
    const up = (await (await fetch(`${url}/UploadPersonPicture`, { method: 'POST', body: form })).json()) as Reply;
    if (up.code !== 0) { codes.push(`${f} upload ${up.code}`); continue; }
    let last = -1;
    for (let i = 0; i < 3; i++) last = (await call(url, '/Compare1V1', { session, first_pic: up.pic_url, second_pic: up.pic_url })).code;
    codes.push(`${f} ${last === 0 ? 'ok' : `code ${last}`}`);
  }
  return codes;
}

// ---------------------------------------------------------------------------------------------
// main

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main(): Promise<void> {
  say(`seed: ${LIBRARIES} libraries, ${PERSONS} persons, ${RECORDS} capture records`);
  const dataDir = await seededDataDir();
  if (args.explain) await explain(join(dataDir, 'db'));
  const wire = args.wire ? await startPgliteServer({ dataDir: join(dataDir, 'db') }) : undefined;
  if (wire) say(`PGlite wire server ${wire.url} (pid ${wire.pid})`);
  say(`data dir ${dataDir}; starting the server`);
  const server = await startServer(dataDir, wire?.url);
  const memoryOfAll = () => {
    const host = memoryOf(server.child.pid!);
    if (!wire) return host;
    const db = memoryOf(wire.pid);
    return { rssMb: host.rssMb + db.rssMb, peakMb: host.peakMb + db.peakMb };
  };
  const rows: Row[] = [];
  let memory = { rssMb: NaN, peakMb: NaN };
  let beforeAddPerson = { rssMb: NaN, peakMb: NaN };
  let afterAddPerson = { rssMb: NaN, peakMb: NaN };
  try {
    const login = await call(server.url, '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) });
    const session = String(login.session);
    say(`server up at ${server.url} (pid ${server.child.pid}, RSS ${fmt(memoryOfAll().rssMb)} MB)`);

    // sanity: the lists see the seed
    const persons = await call(server.url, '/QueryPersonList', { session, page_no: 1, page_size: 20 });
    const records = await call(server.url, '/QueryTaskCaptureRecord', { session, page_no: 1, page_size: 20 });
    const totalOf = (r: Reply) => (r.info as { total_count?: number } | undefined)?.total_count;
    say(`QueryPersonList total_count=${totalOf(persons)} (code ${persons.code}); QueryTaskCaptureRecord total_count=${totalOf(records)} (code ${records.code})`);

    rows.push(await load(server.url, 'Login', '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) }, {}));
    rows.push(await load(server.url, 'QueryPersonList page 1', '/QueryPersonList', { session, page_no: 1, page_size: 20 }, { minReqPerSec: 1000, maxP99: 50 }));
    rows.push(await load(server.url, 'QueryPersonList name~"明"', '/QueryPersonList', { session, page_no: 1, page_size: 20, name: '明' }, { minReqPerSec: 1000, maxP99: 50 }));
    rows.push(await load(server.url, 'QueryTaskCaptureRecord page 1', '/QueryTaskCaptureRecord', { session, page_no: 1, page_size: 20 }, { minReqPerSec: 1000, maxP99: 50 }));
    rows.push(await load(server.url, 'QueryTaskCaptureRecord task+classify', '/QueryTaskCaptureRecord', { session, page_no: 1, page_size: 20, task_id: 2, classify: 1 }, { minReqPerSec: 1000, maxP99: 50 }));

    beforeAddPerson = memoryOfAll();
    const photo = await uploadPhoto(server.url, session);
    if ('picUrl' in photo) {
      say(`AddPerson with ${photo.file} (${photo.picUrl})`);
      // each call detects the face and computes the embedding (CPU): few connections suffice
      rows.push(await load(server.url, 'AddPerson (real photo)', '/AddPerson', { session, lib_id: 2, name: '基准 测试', pic_url: photo.picUrl }, { minReqPerSec: 10 }, { connections: 4 }));
    } else {
      rows.push({ name: 'AddPerson (real photo)', reqPerSec: NaN, p50: NaN, p99: NaN, requests: 0, errors: 0, target: '>= 10/s', pass: false, note: photo.error });
      say(`AddPerson not measured: ${photo.error}`);
    }
    afterAddPerson = memoryOfAll();
    // full-size photos: the face engine decodes ~2.5 MP and detects at 640 px, its largest buffers
    const big = await bigPhotos(server.url, session);
    say(`Compare1V1 on ${big.length} full-size photos: ${big.join(', ')}`);
    memory = memoryOfAll();
  } finally {
    await server.stop();
    await wire?.stop();
    if (!args.keep) await rm(dataDir, { recursive: true, force: true });
    else say(`kept ${dataDir}`);
  }

  const head = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', 'target', 'result'];
  const body = rows.map((r) => [r.name, fmt(r.reqPerSec), fmt(r.p50), fmt(r.p99), String(r.requests), String(r.errors), r.target, r.pass === null ? '-' : r.pass ? 'PASS' : 'FAIL']);
  const rss = (label: string, m: typeof memory) =>
    body.push([label, `${fmt(m.rssMb)} MB`, '', '', '', '', '< 400 MB', m.rssMb < 400 ? 'PASS' : 'FAIL']);
  rss('server RSS before AddPerson', beforeAddPerson);
  rss('server RSS after AddPerson', afterAddPerson);
  rss(`server RSS after full-size photos (peak ${fmt(memory.peakMb)} MB)`, memory);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\nbench:api — ${PERSONS} persons in ${LIBRARIES} libraries, ${RECORDS} capture records, ${wire ? 'PGlite over the wire (child process)' : 'embedded PGlite'};`
    + ` ${CONNECTIONS} connections (AddPerson 4), ${DURATION} s each\n`);
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.note) console.log(`  ${r.name}: ${r.note}`);
  console.log(`\ntotal time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
