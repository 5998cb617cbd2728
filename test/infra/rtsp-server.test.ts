/**
 * The loopback RTSP server of tests and benches (gst-rtsp-server) starts a path's clip at the key
 * frame it is given, so that cameras looping one clip are not in step (bench:stream). Real parts:
 * rtsp-server.py, an H.264 clip made by ffmpeg from a real photo, ffmpeg as the client.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeSceneVideo } from '../../infra/services/video.ts';
import { threePeople } from '../stream-node/helpers.ts';

const run = promisify(execFile);
const W = 320, H = 180, GOP = 25;
let dir: string;
let rtsp: RtspServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-rtsp-'));
  // the photo fills the frame for the first 2 s (key frames 0 and 25), then a flat grey floor
  const clip = await makeSceneVideo({
    out: join(dir, 'clip.h264'), width: W, height: H, seconds: 4, gop: GOP, noise: 0, bitrate: '300k',
    items: [{ picture: threePeople, from: 0, to: 2, x: 0, y: 0, width: W }],
  });
  rtsp = await startRtspServer({ streams: [{ path: 'first', source: clip }, { path: 'later', source: clip, startFrame: 2 * GOP }] });
}, 60_000);

afterAll(async () => {
  await rtsp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** the standard deviation of the luma of the first frame a client gets from `path` */
async function firstFrameSpread(path: string): Promise<number> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', rtsp.urlFor(path), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { encoding: 'buffer', maxBuffer: 1 << 20, timeout: 20_000 });
  expect(stdout.length).toBe(W * H);
  let sum = 0, sq = 0;
  for (const v of stdout) { sum += v; sq += v * v; }
  const mean = sum / stdout.length;
  return Math.sqrt(sq / stdout.length - mean * mean);
}

describe('rtsp-server.py: where a stream starts', () => {
  it('starts at the first frame by default: the photo', async () => {
    expect(await firstFrameSpread('first')).toBeGreaterThan(20);
  }, 30_000);

  it('starts at the given key frame: the empty floor 2 s into the clip', async () => {
    expect(await firstFrameSpread('later')).toBeLessThan(3);
  }, 30_000);
});
