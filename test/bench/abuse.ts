/**
 * npm run bench:abuse — the adversarial review's load (issue 10), against the real host as `npm start`
 * runs it (infra/start.sh, embedded default, a fresh DATA_DIR), all on loopback. Prints figures:
 *
 *   1. login burst: 200 parallel /Login for one user, 199 wrong passwords and the right one last:
 *      how many passwords were checked (LOGIN_FAILED), how many refused unchecked (LOGIN_LOCKED).
 *   2. face comparisons: 24 parallel /Compare1V1 on distinct 40 MP photos (7300x5480 JPEG), twice,
 *      with one small comparison sent in the middle: the server's peak and final RSS (VmRSS and
 *      VmHWM of /proc/<pid>/status, sampled every 50 ms), answers by code, latencies.
 *   3. anonymous garbage: 20 parallel unauthenticated 10 MiB uploads with 150k form fields, and 50
 *      unauthenticated 1 MiB JSON bodies, while a logged-in /QueryLibraryList is timed.
 *   4. BMP: 20 parallel uploads of an 8000x5000 1-bit BMP (5 MB) by a logged-in user, while a
 *      /QueryLibraryList is timed.
 *
 * Target: the host stays under 1 GB RSS whatever the concurrency. Options: --keep (leave DATA_DIR).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { stopChild } from '../../infra/services/child.ts';
import { freePort } from '../../infra/services/ports.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_PASSWORD = 'bench-abuse-admin';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const say = (s: string) => process.stdout.write(`${s}\n`);
type Reply = { code: number; msg: string; [k: string]: unknown };

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function post(url: string, uri: string, body: object, session?: string): Promise<{ reply: Reply; ms: number }> {
  const t = performance.now();
  const res = await fetch(url + uri, { method: 'POST', headers: { 'content-type': 'application/json', ...(session ? { 'x-session': session } : {}) }, body: JSON.stringify(body) });
  const reply = (await res.json().catch(() => ({ code: -1, msg: `HTTP ${res.status}` }))) as Reply;
  return { reply, ms: performance.now() - t };
}

async function upload(url: string, session: string, data: Buffer, name: string): Promise<Reply> {
  const form = new FormData();
  form.append('session', session);
  form.append('file', new Blob([new Uint8Array(data)]), name);
  return (await (await fetch(`${url}/UploadPersonPicture`, { method: 'POST', body: form })).json()) as Reply;
}

const counts = (codes: number[]) => Object.entries(codes.reduce<Record<number, number>>((m, c) => ((m[c] = (m[c] ?? 0) + 1), m), {})).map(([c, n]) => `${n} x ${c}`).join(', ');
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const f0 = (x: number) => x.toFixed(0);

async function main() {
  const keep = process.argv.includes('--keep');
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-abuse-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD, LOG_LEVEL: 'warn' };
  for (const k of ['DATABASE_URL', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'NATS_URL']) delete env[k];
  const child = spawn('bash', ['infra/start.sh', 'host'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  let peak = 0;
  const sampler = setInterval(() => { try { peak = Math.max(peak, memoryOf(child.pid!).rssMb); } catch { /* not up yet */ } }, 50);
  try {
    let session = '';
    for (const deadline = Date.now() + 180_000; ;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`server did not answer within 180 s:\n${stderr}`);
      try {
        session = (await post(url, '/Login', { username: 'admin', password: md5(ADMIN_PASSWORD) })).reply.session as string;
        break;
      } catch { await new Promise((r) => setTimeout(r, 250)); }
    }
    const rows: string[][] = [];
    const mem = () => memoryOf(child.pid!);
    const hwm = () => `RSS ${f0(mem().rssMb)} MB, VmHWM so far ${f0(mem().peakMb)} MB`;
    say(`server up (pid ${child.pid}), ${hwm()}`);

    // 1. login burst
    await post(url, '/RegisterUser', { name: 'victim', password: md5('right') }, session);
    const t1 = performance.now();
    const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => post(url, '/Login', { username: 'victim', password: md5(i === 199 ? 'right' : `wrong${i}`) })));
    rows.push(['login burst: 200 parallel, right password last', counts(burst.map((b) => b.reply.code)), `${f0(performance.now() - t1)} ms in all`, `right one: ${burst[199].reply.code}`]);
    // unknown names and wrong passwords: the same answers after the same work (one try per name, so no lock interferes)
    for (let i = 0; i < 20; i++) await post(url, '/RegisterUser', { name: `known${i}`, password: md5('right') }, session);
    const known: number[] = [], unknown: number[] = [];
    for (let i = 0; i < 20; i++) {
      known.push((await post(url, '/Login', { username: `known${i}`, password: md5('wrong') })).ms);
      unknown.push((await post(url, '/Login', { username: `ghost${i}`, password: md5('wrong') })).ms);
    }
    rows.push(['wrong password vs unknown name, 20 each, sequential', `median ${pct(known, 50).toFixed(1)} ms vs ${pct(unknown, 50).toFixed(1)} ms`, `p90 ${pct(known, 90).toFixed(1)} vs ${pct(unknown, 90).toFixed(1)} ms`, hwm()]);

    // 2. 40 MP comparisons
    const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
    const face = await sharp(readFileSync(join(demo, 'sample6.jpg'))).extract({ left: 1035, top: 151, width: 480, height: 616 }).toBuffer();
    const big = await sharp(face).resize(7300, 5480, { fit: 'contain', background: '#7a7a7a' }).jpeg({ quality: 80 }).toBuffer();
    const small = await sharp(face).resize(300).jpeg().toBuffer();
    const urls: string[] = [];
    // two waves of 24 on photos never compared before (the engine keeps each photo's face once found)
    for (let i = 0; i < 50; i++) urls.push((await upload(url, session, big, `big${i}.jpg`)).pic_url as string);
    const smallA = (await upload(url, session, small, 'a.jpg')).pic_url, smallB = (await upload(url, session, small, 'b.jpg')).pic_url;
    say(`uploaded 50 x ${(big.length / 1e6).toFixed(1)} MB 40 MP photos; ${hwm()}`);
    peak = mem().rssMb;
    const before = mem().rssMb;
    for (let wave = 0; wave < 2; wave++) {
      const t = performance.now();
      const set = urls.slice(wave * 25, wave * 25 + 25);
      const calls = set.slice(0, 24).map((u, i) => post(url, '/Compare1V1', { first_pic: u, second_pic: set[i + 1] }, session));
      await new Promise((r) => setTimeout(r, 300));
      const smallCall = await post(url, '/Compare1V1', { first_pic: smallA, second_pic: smallB }, session);
      const done = await Promise.all(calls);
      rows.push([`24 parallel Compare1V1 on 40 MP photos (wave ${wave + 1})`, counts(done.map((d) => d.reply.code)),
        `p50 ${f0(pct(done.map((d) => d.ms), 50))} ms, max ${f0(pct(done.map((d) => d.ms), 100))} ms, all ${f0(performance.now() - t)} ms`,
        `small comparison meanwhile: code ${smallCall.reply.code} in ${f0(smallCall.ms)} ms`]);
    }
    const after = mem();
    rows.push(['host RSS around the comparisons', `before ${f0(before)} MB`, `peak ${f0(peak)} MB (VmHWM ${f0(after.peakMb)} MB)`, `after ${f0(after.rssMb)} MB; target < 1024 MB: ${peak < 1024 ? 'PASS' : 'FAIL'}`]);

    // 3. anonymous garbage
    const boundary = 'bench-boundary';
    const parts = [Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="x.jpg"\r\n\r\n`), Buffer.alloc(10 * 1024 * 1024 - 3_000_000, 1), Buffer.from('\r\n')];
    for (let i = 0; i < 150_000; i++) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="f${i}"\r\n\r\n\r\n`));
    const junk = Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]).subarray(0, 10 * 1024 * 1024);
    const floodQuery = async (label: string, flood: () => Promise<number>[]) => {
      const rssBefore = mem().rssMb;
      const pending = flood();
      await new Promise((r) => setTimeout(r, 100));
      const q = await post(url, '/QueryLibraryList', { page_no: 1, page_size: 10 }, session);
      const codes = await Promise.all(pending);
      rows.push([label, counts(codes), `logged-in QueryLibraryList meanwhile: code ${q.reply.code} in ${f0(q.ms)} ms`, `RSS ${f0(rssBefore)} -> ${f0(mem().rssMb)} MB`]);
    };
    await floodQuery('20 anonymous 10 MiB uploads, 150k fields', () => Array.from({ length: 20 }, () =>
      fetch(`${url}/UploadPersonPicture`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: junk })
        .then((r) => r.json() as Promise<Reply>).then((r) => r.code, () => -1)));
    const mib = JSON.stringify({ name: 'x', pad: 'p'.repeat(1024 * 1024 - 40) });
    await floodQuery('50 anonymous 1 MiB JSON bodies', () => Array.from({ length: 50 }, () =>
      fetch(`${url}/AddLibrary`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: mib }).then((r) => r.json() as Promise<Reply>).then((r) => r.code, () => -1)));

    // 4. BMP
    const w = 8000, h = 5000, stride = Math.ceil(w / 32) * 4;
    const header = Buffer.alloc(62);
    header.write('BM', 0); header.writeUInt32LE(62 + stride * h, 2); header.writeUInt32LE(62, 10); header.writeUInt32LE(40, 14);
    header.writeInt32LE(w, 18); header.writeInt32LE(h, 22); header.writeUInt16LE(1, 26); header.writeUInt16LE(1, 28); header.writeUInt32LE(2, 46); header.writeUInt32LE(0xffffff, 58);
    const bmp = Buffer.concat([header, Buffer.alloc(stride * h, 0x55)]);
    await floodQuery('20 parallel 8000x5000 1-bit BMP uploads (logged in)', () => Array.from({ length: 20 }, () => upload(url, session, bmp, 'x.bmp').then((r) => r.code, () => -1)));

    const final = mem();
    rows.push(['host RSS at the end', `${f0(final.rssMb)} MB`, `peak over the whole run ${f0(Math.max(peak, final.peakMb))} MB`, '']);
    say('');
    for (const r of rows) say(`| ${r.join(' | ')} |`);
  } finally {
    clearInterval(sampler);
    await stopChild(child, { graceMs: 15_000 });
    if (!keep) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
