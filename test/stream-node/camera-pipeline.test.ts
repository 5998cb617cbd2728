/**
 * One camera end to end with real parts: gst-rtsp-server serving a clip made from a real photo of
 * three people, ffmpeg, the face engine (ONNX models in models/), the tracker, an S3 server and
 * nats-server with JetStream. What comes out of the FACES stream must be one message per person
 * (tracked, not one per frame), each with a stored crop and an embedding of a face of the photo.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectNatsBus, decodeEmbedding, FaceMessageSchema, Streams, type Bus, type FaceMessage, type ParsedFaceMessage,
} from '../../core/bus/index.ts';
import { createFaceEngine, similarity, type FaceEngine } from '../../core/face/index.ts';
import type { ObjectStore } from '../../core/storage/index.ts';
import { S3ObjectStore } from '../../core/storage/s3.ts';
import { startS3Server, type S3Server } from '../../infra/services/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeSceneVideo, makeTestVideo } from '../../infra/services/video.ts';
import { makeFixtures } from '../functions/fixtures.ts';
import { CameraPipeline } from '../../stream-node/pipeline/camera-pipeline.ts';
import type { Region } from '../../stream-node/pipeline/motion.ts';
import { until, threePeople as photo } from './helpers.ts';


let dir: string;
let rtsp: RtspServer;
let nats: NatsServer;
let s3: S3Server;
let store: ObjectStore;
let engine: FaceEngine;
let bus: Bus;
let aliceJpeg: Buffer;
let bobJpeg: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-pipeline-'));
  const fx = await makeFixtures();
  await Promise.all([writeFile(join(dir, 'alice.jpg'), fx.alice), writeFile(join(dir, 'bob.jpg'), fx.bob)]);
  aliceJpeg = fx.alice;
  bobJpeg = fx.bob;
  const [clip, still, desk, n, s] = await Promise.all([
    // three faces of ~100 px, drifting right by 10 px/s
    makeTestVideo({ foreground: photo, out: join(dir, 'clip.h264'), width: 1280, height: 720, seconds: 6, gop: 12, foregroundWidth: 1000, speed: 10, noise: 0, bitrate: '3M' }),
    // the same people standing still, with sensor noise: the scene of a sign-in terminal
    makeTestVideo({ foreground: photo, out: join(dir, 'still.h264'), width: 1280, height: 720, seconds: 6, gop: 12, foregroundWidth: 1000, speed: 0, noise: 4, bitrate: '3M' }),
    // alice standing at a desk on the left, bob walking slowly on the right: the change is his alone
    makeSceneVideo({
      out: join(dir, 'desk.h264'), width: 1280, height: 720, seconds: 16, gop: 12, noise: 4, bitrate: '3M',
      items: [{ picture: join(dir, 'alice.jpg'), x: 60, y: 200, width: 260 }, { picture: join(dir, 'bob.jpg'), x: 760, y: 220, width: 260, speed: 12 }],
    }),
    startNatsServer(),
    startS3Server({ bucket: 'captures' }),
  ]);
  nats = n;
  s3 = s;
  rtsp = await startRtspServer({ streams: [{ path: 'door', source: clip }, { path: 'terminal', source: still }, { path: 'desk', source: desk }] });
  store = new S3ObjectStore({ kind: 's3', endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  engine = createFaceEngine({ threads: 1 });
  // the models load on first use: not during the first frame, which would leave the next one
  // seconds away on a loaded machine (and every track idle past its end)
  await engine.detect({ data: Buffer.alloc(64 * 64 * 3), width: 64, height: 64, channels: 3 });
  bus = await connectNatsBus({ servers: nats.url, name: 'pipeline-test' });
  await bus.ensureStream(Streams.FACES);
});

afterAll(async () => {
  await bus?.close();
  await engine?.close();
  await store?.close?.();
  await Promise.all([rtsp?.stop(), nats?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});


/**
 * One camera of the RTSP server read at 1 fps until six frames are analysed, the motion gate's
 * refresh out of the way: the detector's calls (with their regions) and the messages sent.
 */
async function sixFrames(path: string, node: string, cameraId: number) {
  const calls: Array<{ region?: Region }> = [];
  const counting: FaceEngine = { ...engine, detect: (img, o) => { calls.push({ region: o?.region }); return engine.detect(img, o); } };
  const sent: FaceMessage[] = [];
  const pipeline = new CameraPipeline({
    node, cameraId, url: rtsp.urlFor(path), intervalMs: 1000,
    tasks: [{ taskId: 3, cameraList: 1 }],
    engine: counting, store, bus, detectWidth: 1280,
    tracker: { publishPeriodMs: 60_000, maxIdleMs: 10_000 },
    motion: { refreshMs: 60_000 },
  });
  pipeline.on('published', (ms) => sent.push(...ms));
  pipeline.start();
  try {
    await until(() => pipeline.stats.analysed >= 6, 'six analysed frames', 45_000);
  } finally {
    await pipeline.stop();
  }
  return { pipeline, calls, sent };
}

describe('camera pipeline', () => {
  it('sends one message per person seen, with a stored crop and the face\'s embedding, on the FACES stream', async () => {
    const received: ParsedFaceMessage[] = [];
    const sub = await bus.consume({ stream: Streams.FACES, durable: 'pipeline-test', ackWaitMs: 10_000 }, (m) => {
      received.push(FaceMessageSchema.parse(m.data));
    });
    const pipeline = new CameraPipeline({
      node: 'node-a', cameraId: 7, url: rtsp.urlFor('door'), intervalMs: 1000,
      tasks: [{ taskId: 3, cameraList: 1 }],
      engine, store, bus, detectWidth: 1280,
      tracker: { publishPeriodMs: 60_000, maxIdleMs: 10_000 },
    });
    const states: string[] = [];
    pipeline.on('state', (s) => states.push(s));
    pipeline.start();
    try {
      await until(() => new Set(received.map((m) => m.track_id)).size >= 3, 'three tracks', 45_000);
      // keep watching: the same three people must not become new tracks frame after frame
      const analysed = pipeline.stats.analysed;
      await until(() => pipeline.stats.analysed >= analysed + 4, 'four more analysed frames', 30_000);
    } finally {
      await pipeline.stop();
      await sub.stop();
    }
    expect(states.slice(0, 2)).toEqual(['connecting', 'online']);
    const tracks = new Set(received.map((m) => m.track_id));
    expect(tracks.size).toBeGreaterThanOrEqual(3);
    expect(tracks.size).toBeLessThanOrEqual(5); // a face lost and found again at worst, not one per frame
    expect(received.length).toBeLessThanOrEqual(2 * tracks.size); // first shot, at most one better at the end
    expect(pipeline.stats.faces).toBeGreaterThanOrEqual(pipeline.stats.analysed); // the small third face is missed now and then
    // each message's shot was embedded once, and the tracker checked faces far less than once per face
    expect(pipeline.stats.embeds).toBeGreaterThanOrEqual(received.length);
    expect(pipeline.stats.embeds).toBeLessThan(pipeline.stats.faces);

    const reference = await engine.analyze(await readFile(photo));
    expect(reference.length).toBeGreaterThanOrEqual(3);
    for (const m of received) {
      expect(m).toMatchObject({ task_id: 3, camera_id: 7, camera_list: 1, node: 'node-a' });
      // the appearance names the track and its window; a first shot starts it
      expect(m.appearance).toMatch(new RegExp(`^node-a-[0-9a-z]+-${m.track_id}-0$`));
      expect(m.appearance_start).toBeLessThanOrEqual(m.capture_time);
      expect(m.capture_time).toBeGreaterThan(Date.now() - 120_000);
      // boxes are in the camera's 1280x720 pixels; the photo starts at x = 128, y = 180
      expect(m.box.x).toBeGreaterThanOrEqual(100);
      expect(m.box.y).toBeGreaterThanOrEqual(150);
      expect(m.box.x + m.box.width).toBeLessThanOrEqual(1280);
      const jpeg = await store.get(m.capture_url);
      expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
      const best = Math.max(...reference.map((r) => similarity(decodeEmbedding(m.embedding), r.embedding)));
      expect(best).toBeGreaterThanOrEqual(0.8);
    }
    // one message per person: each reference face is matched by some track
    for (const r of reference.slice(0, 3)) {
      expect(Math.max(...received.map((m) => similarity(decodeEmbedding(m.embedding), r.embedding)))).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('an unchanged scene is not detected again: its faces are kept, tracked and sent once per person', async () => {
    const { pipeline, calls, sent } = await sixFrames('terminal', 'node-b', 8);
    // the clip loops every 6 s: its first frame may differ from its last, never the frames between
    expect(pipeline.stats.still).toBeGreaterThanOrEqual(3);
    expect(calls).toHaveLength(pipeline.stats.analysed - pipeline.stats.still);
    expect(calls.every((c) => c.region === undefined)).toBe(true); // nothing changed in one part alone
    expect(pipeline.stats.faces).toBeGreaterThanOrEqual(3 * pipeline.stats.analysed - 3); // kept faces count
    const tracks = new Set(sent.map((m) => m.track_id));
    expect(tracks.size).toBeGreaterThanOrEqual(3);
    expect(tracks.size).toBeLessThanOrEqual(4);
  });

  it('a change in one part of the scene is detected there alone; the faces elsewhere are kept', async () => {
    const { pipeline, calls, sent } = await sixFrames('desk', 'node-c', 9);
    // the first frame whole, then bob's side: regions right of alice, much smaller than the frame
    expect(calls[0].region).toBeUndefined();
    const regions = calls.flatMap((c) => (c.region ? [c.region] : []));
    expect(regions.length).toBeGreaterThanOrEqual(3);
    expect(pipeline.stats.regions).toBe(regions.length);
    for (const r of regions) {
      expect(r.x).toBeGreaterThan(320); // alice stands at x 60-320
      expect(r.width * r.height).toBeLessThan(0.6 * 1280 * 720);
    }
    // alice, kept, and bob, detected where he walks: one track each, each the right person
    expect(pipeline.stats.faces).toBeGreaterThanOrEqual(2 * pipeline.stats.analysed - 1);
    const tracks = new Map(sent.map((m) => [m.track_id, m]));
    expect(tracks.size).toBe(2);
    const [alice, bob] = await Promise.all([engine.enrol(aliceJpeg), engine.enrol(bobJpeg)]);
    const who = [...tracks.values()].map((m) => {
      const e = decodeEmbedding(m.embedding);
      return similarity(e, alice.embedding) > similarity(e, bob.embedding) ? 'alice' : 'bob';
    });
    expect(who.sort()).toEqual(['alice', 'bob']);
  });
});
