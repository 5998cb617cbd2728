/**
 * The ffmpeg frame source against a real RTSP server (gst-rtsp-server) serving an H.264 clip made
 * by ffmpeg from a real photo (shipped by the @vladmandic/face-api dev dependency).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { FfmpegFrameSource, ffmpegArgs, redact, type Frame } from '../../stream-node/ingest/ffmpeg-source.ts';
import type { StreamState } from '../../core/bus/messages.ts';
import { DECODE_NICE } from '../../core/constants.ts';
import { until, threePeople as photo } from './helpers.ts';


let dir: string;
let rtsp: RtspServer;
const sources: FfmpegFrameSource[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-ingest-'));
  // 1280x720 at 25 fps, a key frame every 12 frames (~0.5 s), flat grey background (0x70)
  const [clip, slowGop] = await Promise.all([
    makeTestVideo({ foreground: photo, out: join(dir, 'clip.h264'), width: 1280, height: 720, seconds: 4, gop: 12, noise: 0, bitrate: '1M' }),
    // a key frame every 2 s, as many cameras send
    makeTestVideo({ foreground: photo, out: join(dir, 'gop2s.h264'), width: 640, height: 360, seconds: 4, gop: 50, noise: 0, bitrate: '500k' }),
  ]);
  rtsp = await startRtspServer({ streams: [{ path: 'cam1', source: clip }, { path: 'cam2', source: clip }, { path: 'gop2s', source: slowGop }] });
});

afterAll(async () => {
  for (const s of sources) await s.stop();
  await rtsp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function source(opts: Partial<ConstructorParameters<typeof FfmpegFrameSource>[0]> & { url: string }) {
  const s = new FfmpegFrameSource({ intervalMs: 500, maxWidth: 640, stallTimeoutMs: 3000, backoff: { initialMs: 200, maxMs: 1000 }, ...opts });
  sources.push(s);
  const frames: Frame[] = [];
  const states: StreamState[] = [];
  s.on('frame', (f) => frames.push(f));
  s.on('state', (st) => states.push(st));
  return { s, frames, states };
}


/** mean of each channel over a w x h block at (x, y) */
function meanRgb(f: Frame, x: number, y: number, w: number, h: number): number[] {
  const sum = [0, 0, 0];
  for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) for (let c = 0; c < 3; c++) sum[c] += f.data[(j * f.width + i) * 3 + c];
  return sum.map((v) => v / (w * h));
}

describe('ffmpeg frame source', () => {
  it.each(['keyframes', 'all'] as const)('decode=%s: RGB frames scaled to maxWidth, at most one per interval', async (decode) => {
    const { s, frames, states } = source({ url: rtsp.urlFor('cam1'), decode });
    s.start();
    await until(() => frames.length >= 1, 'the first frame');
    const t0 = Date.now();
    const n0 = frames.length;
    await new Promise((r) => setTimeout(r, 3000));
    const n = frames.length - n0;
    await s.stop();
    expect(states.slice(0, 2)).toEqual(['connecting', 'online']);
    const f = frames[0];
    expect([f.width, f.height]).toEqual([640, 360]);
    expect([f.sourceWidth, f.sourceHeight]).toEqual([1280, 720]);
    expect(f.data.length).toBe(640 * 360 * 3);
    expect(frames.map((x) => x.seq)).toEqual(frames.map((_, i) => i));
    // the grey background at the bottom right: rows are where they should be, channels in RGB order
    for (const v of meanRgb(f, 560, 300, 60, 40)) expect(Math.abs(v - 0x70)).toBeLessThan(12);
    // the photo is somewhere at the top left quarter: not flat grey there
    const photoArea = meanRgb(f, 64, 90, 100, 60);
    expect(Math.max(...photoArea.map((v) => Math.abs(v - 0x70)))).toBeGreaterThan(5);
    // 3 s at one frame per 500 ms: about 6; the server may burst a little after connecting
    const elapsed = Date.now() - t0;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 2);
    expect(f.time).toBeGreaterThan(Date.now() - 60_000);
  });

  it('ffmpeg runs below the node\'s CPU priority (its niceness + DECODE_NICE), or at it with nice 0', async () => {
    // /proc/<pid>/stat: the 19th field is the niceness (the 17th after the command's closing bracket)
    const niceOf = (pid: number) => { const st = readFileSync(`/proc/${pid}/stat`, 'utf8'); return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16]); };
    const below = source({ url: rtsp.urlFor('cam1') });
    const same = source({ url: rtsp.urlFor('cam2'), nice: 0 });
    below.s.start();
    same.s.start();
    await until(() => below.frames.length >= 1 && same.frames.length >= 1, 'a frame from each');
    expect(niceOf(below.s.pid!)).toBe(Math.min(19, getPriority() + DECODE_NICE));
    expect(niceOf(same.s.pid!)).toBe(getPriority());
    await Promise.all([below.s.stop(), same.s.stop()]);
  });

  it('decode=auto keeps to key frames when they come often enough for the interval', async () => {
    const { s, frames } = source({ url: rtsp.urlFor('cam1'), intervalMs: 500, decode: 'auto' }); // GOP 0.5 s
    s.start();
    await until(() => frames.length >= 6, 'six frames', 20_000);
    expect(s.decodeMode).toBe('keyframes');
    await s.stop();
  });

  it('decode=auto decodes every frame when key frames are further apart than the interval', async () => {
    const { s, frames, states } = source({ url: rtsp.urlFor('gop2s'), intervalMs: 500, decode: 'auto', stallTimeoutMs: 10_000 }); // GOP 2 s
    s.start();
    await until(() => s.decodeMode === 'all', 'the switch to all frames', 20_000);
    const n0 = frames.length;
    await until(() => frames.length >= n0 + 1, 'a frame after the switch', 10_000);
    const t0 = Date.now();
    const n1 = frames.length;
    await new Promise((r) => setTimeout(r, 3000));
    // 3 s at 500 ms: about 6 frames now, where key frames alone gave one per 2 s
    expect(frames.length - n1).toBeGreaterThanOrEqual(4);
    expect(frames.length - n1).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 500) + 2);
    expect(states).toEqual(['connecting', 'online']); // the switch is not an outage
    await s.stop();
  });

  it('goes offline when the camera drops, reconnects with backoff, and is online again when it is back', async () => {
    const { s, frames, states } = source({ url: rtsp.urlFor('cam2') });
    s.start();
    await until(() => states.includes('online'), 'online');
    await rtsp.stop();
    await until(() => states.at(-1) === 'offline', 'offline after the drop');
    const before = frames.length;
    await new Promise((r) => setTimeout(r, 1500)); // a few failed attempts while it is away
    expect(states.at(-1)).toBe('offline');
    await rtsp.start();
    await until(() => states.at(-1) === 'online' && frames.length > before, 'online again', 20_000);
    expect(states).toEqual(['connecting', 'online', 'offline', 'online']);
    await s.stop();
  });

  it('a camera that never answers stays offline without disturbing another camera', async () => {
    const bad = source({ url: 'rtsp://127.0.0.1:9/nothing' }); // port 9 (discard): refused on loopback
    const good = source({ url: rtsp.urlFor('cam1') });
    bad.s.start();
    good.s.start();
    await until(() => good.frames.length >= 3, 'frames of the good camera');
    expect(bad.states).toEqual(['connecting', 'offline']);
    expect(bad.frames.length).toBe(0);
    expect(good.states.at(-1)).toBe('online');
    await bad.s.stop();
    await good.s.stop();
  });

  it('builds the decode options for each mode and keeps credentials out of logs', () => {
    const k = ffmpegArgs({ intervalMs: 1000, maxWidth: 960, decode: 'keyframes' });
    const a = ffmpegArgs({ intervalMs: 1000, maxWidth: 960, decode: 'all' });
    expect(k.input.join(' ')).toContain('-skip_frame nokey');
    expect(a.input.join(' ')).not.toContain('-skip_frame');
    // unfiltered key frames are fine alone, but P frames decoded from them would drift
    expect(k.input.join(' ')).toContain('-skip_loop_filter all');
    expect(a.input.join(' ')).not.toContain('-skip_loop_filter');
    expect(k.input.join(' ')).toContain('-rtsp_transport tcp');
    expect(k.output.join(' ')).toContain('gte(t-prev_selected_t\\,0.980)');
    expect(k.output.join(' ')).toContain("scale='min(iw\\,960)'");
    // a frame goes out as soon as it is made, not when the next one pushes it
    expect(k.output.join(' ')).toContain('-threads 1 -flush_packets 1');
    expect(redact('rtsp://admin:secret@10.0.0.5:554/s1')).toBe('rtsp://***@10.0.0.5:554/s1');
  });
});
