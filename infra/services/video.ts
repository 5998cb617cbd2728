/**
 * Test videos made with ffmpeg from still pictures: a photo moving slowly across a background, like
 * a person walking past a camera. The output is what infra/services/rtsp-server.py serves: an H.264
 * Annex-B elementary stream with an access unit delimiter before every frame, no B-frames, a key
 * frame every `gop` frames. Sensor-like noise keeps the bitrate near a real camera's.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

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

export async function makeTestVideo(o: TestVideoOptions): Promise<string> {
  const width = o.width ?? 1920;
  const height = o.height ?? 1080;
  const fps = o.fps ?? 25;
  const seconds = o.seconds ?? 8;
  const gop = o.gop ?? fps * 2;
  const fgWidth = o.foregroundWidth ?? Math.round(width / 4 / 2) * 2;
  const speed = o.speed ?? 60;
  const noise = o.noise ?? 6;
  const bg = o.background
    ? ['-loop', '1', '-framerate', String(fps), '-i', o.background]
    : ['-f', 'lavfi', '-i', `color=c=0x707070:s=${width}x${height}:r=${fps}`];
  const filter = [
    `[0:v]scale=${width}:${height},setsar=1${noise > 0 ? `,noise=alls=${noise}:allf=t` : ''}[bg]`,
    `[1:v]scale=${fgWidth}:-2,setsar=1[fg]`,
    `[bg][fg]overlay=x='${Math.round(width / 10)}+t*${speed}':y=${Math.round(height / 4)},format=yuv420p`,
  ].join(';');
  const bitrate = o.bitrate ?? '4M';
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    ...bg,
    '-loop', '1', '-framerate', String(fps), '-i', o.foreground,
    '-filter_complex', filter,
    '-t', String(seconds), '-r', String(fps),
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', '8M',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0',
    '-x264-params', 'aud=1',
    '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', o.out,
  ], { maxBuffer: 1 << 20 });
  return o.out;
}
