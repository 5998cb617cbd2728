/**
 * Scenes for live recognition, made with ffmpeg from the face crops every clone has
 * (test/functions/fixtures.ts): who is in view where and when, and the H.264 clip the RTSP server
 * loops. Shared by the scene tests (recognition.test.ts) and `npm run bench:scenes`.
 *
 * The RTSP server starts each client at the clip's first frame and reports when (RtspServer.plays),
 * so `appearsAt()` turns a scene's schedule into the wall-clock time each person stepped up.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSceneVideo, type SceneItem } from '../../infra/services/video.ts';
import type { Fixtures } from '../functions/fixtures.ts';

export type Who = 'alice' | 'bob' | 'carol' | 'dan' | 'erin';

export interface Scene {
  /** RTSP path */
  name: string;
  clip: string;
  /** length of the clip (it loops) */
  seconds: number;
  /** who is in view, from when to when (seconds of the clip); a person may appear several times */
  shows: Array<{ who: Who; from: number; to: number }>;
}

/** the face crops as files (ffmpeg reads files) */
async function crops(dir: string, fx: Fixtures): Promise<Record<Who, string>> {
  const out = {} as Record<Who, string>;
  for (const who of ['alice', 'bob', 'carol', 'dan', 'erin'] as const) {
    out[who] = join(dir, `${who}.jpg`);
    await writeFile(out[who], fx[who]);
  }
  return out;
}

async function scene(dir: string, fx: Fixtures, name: string, o: { width: number; height: number; seconds: number; bitrate: string }, items: Array<Omit<SceneItem, 'picture'> & { who: Who }>): Promise<Scene> {
  const files = await crops(dir, fx);
  const clip = await makeSceneVideo({
    out: join(dir, `${name}.h264`), width: o.width, height: o.height, fps: 25, gop: 25, seconds: o.seconds, noise: 4, bitrate: o.bitrate,
    items: items.map(({ who, ...it }) => ({ ...it, picture: files[who] })),
  });
  return { name, clip, seconds: o.seconds, shows: items.map((it) => ({ who: it.who, from: it.from ?? 0, to: it.to ?? o.seconds })) };
}

/**
 * The queue of issue 9: a 1280x720 25 fps camera with a key frame every second; people step up to the
 * same spot one after another with hard cuts (on whole seconds, so on key frames, as a camera that
 * opens a GOP on a scene change): alice (enrolled), dan (a stranger), carol (enrolled), erin (a
 * stranger), `each` seconds each. The people stood ~15 s; 5 s keeps the test short and is
 * still 5 analysed frames each at interval 1000 ms.
 */
export function queueScene(dir: string, fx: Fixtures, each = 5): Promise<Scene> {
  const order: Who[] = ['alice', 'dan', 'carol', 'erin'];
  return scene(dir, fx, 'queue', { width: 1280, height: 720, seconds: each * order.length, bitrate: '2M' },
    order.map((who, i) => ({ who, from: i * each, to: (i + 1) * each, x: 490, y: 160, width: 300 })));
}

/** bob walking across a 640x360 camera in 8 s (~0.6 box widths a second), then 2 s of empty floor */
export function walkScene(dir: string, fx: Fixtures): Promise<Scene> {
  return scene(dir, fx, 'walk', { width: 640, height: 360, seconds: 10, bitrate: '800k' },
    [{ who: 'bob', from: 0, to: 8, x: -40, y: 80, width: 200, speed: 75 }]);
}

/**
 * alice, erin (a stranger) and carol side by side, still. (bob's photo, head tilted, is found
 * unsteadily at this size by the detector: a face engine matter, not a tracking one.)
 */
export function groupScene(dir: string, fx: Fixtures): Promise<Scene> {
  return scene(dir, fx, 'group', { width: 960, height: 540, seconds: 10, bitrate: '1500k' },
    (['alice', 'erin', 'carol'] as const).map((who, i) => ({ who, x: 40 + i * 300, y: 120, width: 260 })));
}

/**
 * carol in view for 4 s, gone for 5 s (more than TRACK_IDLE_MS), back for 4 s, gone 5 s: two
 * appearances per loop, 9 s apart, the next loop's 18 s after the first.
 */
export function returnScene(dir: string, fx: Fixtures): Promise<Scene> {
  return scene(dir, fx, 'return', { width: 640, height: 360, seconds: 18, bitrate: '800k' },
    [{ who: 'carol', from: 0, to: 4, x: 220, y: 60, width: 200 }, { who: 'carol', from: 9, to: 13, x: 220, y: 60, width: 200 }]);
}

/**
 * Issue 11's group clip: three people side by side drifting right, the clip looping every 6 s, so
 * at each loop everyone jumps back by about one neighbour's spacing (where the left neighbour was).
 */
export function loopingGroupScene(dir: string, fx: Fixtures): Promise<Scene> {
  return scene(dir, fx, 'loop', { width: 960, height: 540, seconds: 6, bitrate: '1500k' },
    (['carol', 'erin', 'alice'] as const).map((who, i) => ({ who, x: 20 + i * 250, y: 140, width: 220, speed: 30 })));
}

/** wall-clock times (epoch ms) at which `who` stepped into view, for a stream that started at `playAt`, up to `until` */
export function appearsAt(s: Scene, who: Who, playAt: number, until: number): number[] {
  const out: number[] = [];
  for (let loop = 0; playAt + loop * s.seconds * 1000 < until; loop++) {
    for (const x of s.shows) {
      const at = playAt + (loop * s.seconds + x.from) * 1000;
      // a show that continues one ending at the same time (a person across the loop) is not a new step-up
      const continues = s.shows.some((y) => y.who === who && (y.to === x.from || (x.from === 0 && y.to === s.seconds && loop > 0)));
      if (x.who === who && at < until && !continues) out.push(at);
    }
  }
  return out;
}
