/**
 * Test videos made with ffmpeg from still pictures: pictures placed on a background, each shown for
 * a span of the clip, still or sliding sideways, like people stepping up to a gate or walking past a
 * camera. The output is what infra/services/rtsp-server.py serves: an H.264 Annex-B elementary
 * stream with an access unit delimiter before every frame, no B-frames, a key frame every `gop`
 * frames (from the first), so a hard cut on a whole GOP lands on a key frame as it does on a camera
 * that starts a GOP on a scene change. Sensor-like noise keeps the bitrate near a real camera's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SceneItem {
  /** the picture shown (e.g. a face photo) */
  picture: string;
  /** seconds of the clip it is shown in: from (inclusive) to (exclusive); default the whole clip */
  from?: number;
  to?: number;
  /** top-left corner at `from`, in video pixels */
  x: number;
  y: number;
  /** its width in the video (height follows its aspect) */
  width: number;
  /** pixels per second it moves to the right (negative: left); default 0 */
  speed?: number;
}

export interface SceneOptions {
  out: string;
  items: SceneItem[];
  /** the still background; default a flat grey */
  background?: string;
  width?: number; // 1920
  height?: number; // 1080
  fps?: number; // 25
  seconds?: number; // 8
  /** frames between key frames; default 2 s worth */
  gop?: number;
  bitrate?: string; // '4M'
  /** temporal noise strength (0 = none) */
  noise?: number; // 6
}

export async function makeSceneVideo(o: SceneOptions): Promise<string> {
  const width = o.width ?? 1920;
  const height = o.height ?? 1080;
  const fps = o.fps ?? 25;
  const seconds = o.seconds ?? 8;
  const gop = o.gop ?? fps * 2;
  const noise = o.noise ?? 6;
  const bg = o.background
    ? ['-loop', '1', '-framerate', String(fps), '-i', o.background]
    : ['-f', 'lavfi', '-i', `color=c=0x707070:s=${width}x${height}:r=${fps}`];
  const filter = [`[0:v]scale=${width}:${height},setsar=1${noise > 0 ? `,noise=alls=${noise}:allf=t` : ''}[v0]`];
  o.items.forEach((it, i) => {
    const from = it.from ?? 0, to = it.to ?? seconds;
    filter.push(`[${i + 1}:v]scale=${Math.round(it.width / 2) * 2}:-2,setsar=1[p${i}]`);
    filter.push(`[v${i}][p${i}]overlay=x='${Math.round(it.x)}+(t-${from})*${it.speed ?? 0}':y=${Math.round(it.y)}:enable='gte(t,${from})*lt(t,${to})'[v${i + 1}]`);
  });
  filter.push(`[v${o.items.length}]format=yuv420p[out]`);
  const bitrate = o.bitrate ?? '4M';
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    ...bg,
    ...o.items.flatMap((it) => ['-loop', '1', '-framerate', String(fps), '-i', it.picture]),
    '-filter_complex', filter.join(';'), '-map', '[out]',
    '-t', String(seconds), '-r', String(fps),
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', '8M',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0',
    '-x264-params', 'aud=1',
    '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', o.out,
  ], { maxBuffer: 1 << 20 });
  return o.out;
}

export interface TestVideoOptions {
  /** the picture that moves (e.g. a face photo) */
  foreground: string;
  /** the still background; default a flat grey */
  background?: string;
  out: string;
  width?: number; // 1920
  height?: number; // 1080
  fps?: number; // 25
  seconds?: number; // 8
  /** frames between key frames; default 2 s worth */
  gop?: number;
  /** width of the moving picture in the video; default a quarter of the width */
  foregroundWidth?: number;
  /** pixels per second the picture moves to the right */
  speed?: number; // 60
  bitrate?: string; // '4M'
  /** temporal noise strength (0 = none) */
  noise?: number; // 6
}

/** One picture sliding to the right across the whole clip, from a tenth of the width and a quarter of the height. */
export function makeTestVideo(o: TestVideoOptions): Promise<string> {
  const width = o.width ?? 1920;
  const height = o.height ?? 1080;
  return makeSceneVideo({
    ...o,
    items: [{ picture: o.foreground, x: width / 10, y: height / 4, width: o.foregroundWidth ?? width / 4, speed: o.speed ?? 60 }],
  });
}
