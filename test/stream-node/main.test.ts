/**
 * stream-node/main.ts as its own process: configured by env, it joins NATS, reads the camera the
 * desired tasks want, reports it online, and on SIGTERM stops and frees its lease at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, LeaseBuckets, Subjects, type Bus, type CameraStateMessage } from '../../core/bus/index.ts';
import { startS3Server, type S3Server } from '../../infra/services/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { until, threePeople as photo } from './helpers.ts';
import { buildDist } from '../../infra/build.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

let dir: string;
let rtsp: RtspServer;
let nats: NatsServer;
let s3: S3Server;
let bus: Bus;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-main-'));
  const [clip, n, s] = await Promise.all([
    makeTestVideo({ foreground: photo, out: join(dir, 'clip.h264'), width: 640, height: 360, seconds: 3, gop: 12, noise: 0, bitrate: '500k' }),
    startNatsServer(),
    startS3Server({ bucket: 'captures' }),
  ]);
  nats = n;
  s3 = s;
  rtsp = await startRtspServer({ streams: [{ path: 'gate', source: clip }] });
  bus = await connectNatsBus({ servers: nats.url, name: 'api' });
});

afterAll(async () => {
  await bus?.close();
  await Promise.all([rtsp?.stop(), nats?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The sources through tsx's loader, or the build `npm run stream-node` runs (dist/, where nats and the
 * S3 client load from chunks of their own). Node itself, not a wrapper: one process, so a SIGKILL
 * after a failed assertion cannot leave an orphaned stream node (and its ffmpeg) running.
 */
const COMMANDS = {
  source: ['--import', 'tsx', 'stream-node/main.ts'],
  build: ['dist/stream-node/main.js'],
};

function run(env: Record<string, string>, from: keyof typeof COMMANDS): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, COMMANDS[from], {
    // DATA_DIR: the node's outbox in the test's temp dir
    cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}


describe.each(['source', 'build'] as const)('npm run stream-node (stream-node/main.ts, %s)', (from) => {
  beforeAll(async () => {
    if (from === 'build') await buildDist();
  });

  it('runs the wanted camera, reports it online, shows its figures on its own /metrics, and frees its lease on SIGTERM', async () => {
    const p = run({
      NATS_URL: nats.url, NODE_NAME: 'edge-1', LEASE_TTL_MS: '30000', FACE_THREADS: '1', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', CAMERA_ALLOWED_RANGES: '127.0.0.0/8',
      S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    }, from);
    const states: CameraStateMessage[] = [];
    const sub = bus.subscribe<CameraStateMessage>(Subjects.cameraStateAll, (s) => { states.push(s); });
    try {
      await until(() => p.out().includes('stream node started'), 'the node to start', 30_000, p.out);
      const desired = { version: 1, tasks: [{ task_id: 5, interval: 1000, cameras: [{ camera_id: 9, rtsp: rtsp.urlFor('gate'), camera_list: 1 }] }] };
      const resend = setInterval(() => bus.emit(Subjects.tasksDesired, desired), 300);
      try {
        await until(() => states.some((s) => s.camera_id === 9 && s.node === 'edge-1' && s.state === 'online'), 'camera 9 online', 30_000, p.out);
      } finally {
        clearInterval(resend);
      }
      const metricsPort = Number(/"metricsPort":(\d+)/.exec(p.out())?.[1]);
      const analysed = async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return Number(/^facewatch_stream_frames_analysed_total\{node="edge-1"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      };
      await until(async () => (await analysed()) > 0, 'frames analysed on the node\'s /metrics', 30_000, p.out);
      const leases = await bus.leases({ ...LeaseBuckets.cameras, ttlMs: 30_000 });
      expect(Object.fromEntries(await leases.holders())).toEqual({ 'camera.9': 'edge-1', 'node.edge-1.16': 'edge-1' }); // its camera and its presence
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      // freed now, not after the 30 s TTL
      expect(Object.fromEntries(await leases.holders())).toEqual({});
    } finally {
      await sub.stop();
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('refuses a bad environment with exit code 2, naming the variable', async () => {
    const p = run({ NATS_URL: nats.url, CAPACITY: '0', S3_ENDPOINT: 'http://127.0.0.1:1', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' }, from);
    expect(await p.exited).toBe(2);
    expect(p.out()).toContain('CAPACITY');
  });
});
