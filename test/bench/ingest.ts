/**
 * npm run bench:ingest: what each way of decoding costs one camera. A real RTSP server
 * (gst-rtsp-server) serves a 1080p 25 fps H.264 clip made from a real photo; for each strategy one
 * ffmpeg reads it at interval 1000 ms and writes RGB frames (960 px wide) to a pipe, and we sample
 * the ffmpeg process's CPU (utime+stime from /proc/<pid>/stat) and RSS (VmRSS) over the window.
 *
 * rssMB is the largest VmRSS of a reader, anonMB its RssAnon: what one more camera costs, since the
 * libraries' pages are shared by all ffmpeg processes.
 *
 * Env: SECONDS_PER_RUN (10), WARMUP_S (3), CAMERAS (1: readers at once per strategy), ONLY (a
 * strategy name). Prints a table; CPU% is of one core.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRtspServer } from '../../infra/services/rtsp.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { ffmpegArgs } from '../../stream-node/ingest/ffmpeg-source.ts';
import { demoPhotos } from '../stream-node/helpers.ts';

const SECONDS = Number(process.env.SECONDS_PER_RUN ?? 10);
const WARMUP = Number(process.env.WARMUP_S ?? 3);
const CAMERAS = Number(process.env.CAMERAS ?? 1);
const INTERVAL = 1000;
const WIDTH = 960;
const TICK = 100; // clock ticks per second of /proc stat times (getconf CLK_TCK on Linux)

const ours = (decode: 'keyframes' | 'all') => {
  const a = ffmpegArgs({ intervalMs: INTERVAL, maxWidth: WIDTH, decode });
  return { input: a.input, output: a.output };
};
const tcp = ['-rtsp_transport', 'tcp'];
const rgbOut = (vf: string) => ['-an', '-vf', vf, '-pix_fmt', 'rgb24', '-f', 'rawvideo'];
const select = `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,0.980)',scale='min(iw\\,${WIDTH})':-2`;

const strategies: Array<{ name: string; gop: 'gop2s' | 'gop1s'; input: string[]; output: string[] }> = [
  { name: 'a: all frames, fps=1 filter, default threads', gop: 'gop2s', input: tcp, output: rgbOut(`fps=1,scale=${WIDTH}:-2`) },
  { name: 'b: all frames, select before scale, 1 thread', gop: 'gop2s', ...ours('all') },
  { name: 'c: -discard nokey (demuxer), select, 1 thread', gop: 'gop2s', input: [...tcp, '-threads', '1', '-discard', 'nokey'], output: [...rgbOut(select), '-fps_mode', 'passthrough'] },
  { name: 'd: -skip_frame nokey, select, 1 thread [chosen]', gop: 'gop2s', ...ours('keyframes') },
  { name: 'e: as d, camera GOP 1 s', gop: 'gop1s', ...ours('keyframes') },
  { name: 'f: as b, -skip_loop_filter all -flags2 fast', gop: 'gop2s', input: [...ours('all').input, '-skip_loop_filter', 'all', '-flags2', 'fast'], output: ours('all').output },
];

async function procCpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
}
/** VmRSS counts the shared libraries (libav*, codecs) that all ffmpeg processes share; RssAnon is
 * what each one adds: decoder buffers, frames, heap. */
async function procMemMb(pid: number): Promise<{ rss: number; anon: number }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

async function measure(url: string, input: string[], output: string[]) {
  const readers = Array.from({ length: CAMERAS }, () => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, '-i', url, ...output, 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = { p, bytes: 0, err: '' };
    p.stdout.on('data', (d: Buffer) => { r.bytes += d.length; });
    p.stderr.on('data', (d: Buffer) => { r.err = (r.err + d.toString()).slice(-2000); });
    return r;
  });
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  const t0 = process.hrtime.bigint();
  const cpu0 = await Promise.all(readers.map((r) => procCpuTicks(r.p.pid!)));
  const bytes0 = readers.map((r) => r.bytes);
  let rss = 0;
  let anon = 0;
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
    for (const r of readers) {
      const m = await procMemMb(r.p.pid!).catch(() => ({ rss: 0, anon: 0 }));
      rss = Math.max(rss, m.rss);
      anon = Math.max(anon, m.anon);
    }
  }
  const cpu1 = await Promise.all(readers.map((r) => procCpuTicks(r.p.pid!)));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const r of readers) r.p.kill('SIGKILL');
  const frameBytes = WIDTH * 540 * 3;
  const cpuPct = readers.map((_, i) => ((cpu1[i] - cpu0[i]) / TICK / secs) * 100);
  const fps = readers.map((r, i) => (r.bytes - bytes0[i]) / frameBytes / secs);
  const errors = readers.map((r) => r.err.trim()).filter(Boolean);
  return { cpuPct: avg(cpuPct), rssMb: rss, anonMb: anon, fps: avg(fps), errors };
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'facewatch-bench-ingest-'));
  try {
    console.log(`making 1080p 25 fps H.264 clips (4 Mbit/s, photo over photo, sensor noise) in ${dir} ...`);
    const clip = (gop: number, name: string) => makeTestVideo({ foreground: join(demoPhotos, 'sample1.jpg'), background: join(demoPhotos, 'sample2.jpg'), out: join(dir, name), seconds: 10, gop });
    const [gop2s, gop1s] = await Promise.all([clip(50, 'gop2s.h264'), clip(25, 'gop1s.h264')]);
    const server = await startRtspServer({ streams: [{ path: 'gop2s', source: gop2s }, { path: 'gop1s', source: gop1s }] });
    try {
      console.log(`\nper strategy: ${CAMERAS} reader(s), ${WARMUP} s warm-up, ${SECONDS} s measured; interval ${INTERVAL} ms, output ${WIDTH} px RGB24\n`);
      console.log('strategy'.padEnd(50), 'cpu%/cam'.padStart(9), 'rssMB'.padStart(7), 'anonMB'.padStart(7), 'frames/s'.padStart(9), ' server cpu%');
      for (const s of strategies) {
        if (process.env.ONLY && !s.name.startsWith(process.env.ONLY)) continue;
        const spid = server.pid()!;
        const s0 = await procCpuTicks(spid);
        const t0 = Date.now();
        const r = await measure(server.urlFor(s.gop), s.input, s.output);
        const serverPct = ((await procCpuTicks(spid)) - s0) / TICK / ((Date.now() - t0) / 1000) * 100;
        console.log(s.name.padEnd(50), r.cpuPct.toFixed(1).padStart(9), r.rssMb.toFixed(0).padStart(7), r.anonMb.toFixed(0).padStart(7), r.fps.toFixed(2).padStart(9), serverPct.toFixed(1).padStart(12));
        if (r.errors.length) console.log('   ffmpeg said:', r.errors[0].split('\n').slice(-2).join(' | '));
        console.log(`   ffmpeg ${s.input.join(' ')} -i URL ${s.output.join(' ')} pipe:1`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
