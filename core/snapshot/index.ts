/**
 * One current frame of a camera as a JPEG: the system ffmpeg (through fluent-ffmpeg, loaded on first
 * use) opens the RTSP stream over TCP, decodes the first key frame (a frame between key frames would
 * show the smearing of missing references), scales it to at most `maxWidth` and writes one JPEG to a
 * pipe. The work is in the child process; this side only collects the bytes.
 *
 * Failures are told apart from ffmpeg's own words on stderr, never echoed (they carry the URL and its
 * credentials): 'refused' (nothing listens, no route), 'auth' (401), 'not-found' (404 or no such
 * stream), 'unreadable' (no video, undecodable, ended before a frame), 'timeout' (no frame within
 * `timeoutMs`: ffmpeg is killed).
 */
import type ffmpeg from 'fluent-ffmpeg';

export type SnapshotFailure = 'refused' | 'auth' | 'not-found' | 'unreadable' | 'timeout';

export class SnapshotError extends Error {
  constructor(readonly reason: SnapshotFailure) {
    super(`snapshot failed: ${reason}`);
  }
}

export interface GrabOptions {
  /** the whole attempt: connecting, waiting for a key frame, encoding */
  timeoutMs: number;
  /** frames wider are scaled down (aspect kept); default 1280 */
  maxWidth?: number;
  /** a JPEG larger than this is refused as unreadable; default 8 MiB */
  maxBytes?: number;
}

export type GrabJpeg = (url: string, o: GrabOptions) => Promise<Buffer>;

/** ffmpeg's arguments, apart from the input URL. */
export function snapshotArgs(o: GrabOptions): { input: string[]; output: string[] } {
  const socketUs = Math.max(1, Math.floor(o.timeoutMs * 1000));
  return {
    input: ['-rtsp_transport', 'tcp', '-timeout', String(socketUs), '-analyzeduration', '1000000', '-skip_frame', 'nokey', '-threads', '1'],
    output: ['-an', '-sn', '-dn', '-frames:v', '1', '-vf', `scale='min(iw\\,${o.maxWidth ?? 1280})':-2`, '-q:v', '4', '-f', 'image2pipe', '-c:v', 'mjpeg'],
  };
}

/** ffmpeg's stderr → the failure class. */
export function classify(stderr: string): SnapshotFailure {
  if (/401 Unauthorized|authorization failed/i.test(stderr)) return 'auth';
  if (/404 Not Found|Server returned 4\d\d|method DESCRIBE failed: 4/i.test(stderr)) return 'not-found';
  if (/Connection refused|No route to host|Network is unreachable|Host is unreachable|Name or service not known|Cannot assign requested address/i.test(stderr)) return 'refused';
  if (/Connection timed out|timed out|Operation timed out/i.test(stderr)) return 'timeout';
  return 'unreadable';
}

let fluent: typeof ffmpeg | undefined;

export const grabJpeg: GrabJpeg = async (url, o) => {
  fluent ??= (await import('fluent-ffmpeg')).default;
  const { input, output } = snapshotArgs(o);
  const maxBytes = o.maxBytes ?? 8 * 1024 * 1024;
  return new Promise<Buffer>((resolve, reject) => {
    const cmd = fluent!(url).inputOptions(input).outputOptions(output);
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let settled = false;
    const finish = (err: SnapshotError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        cmd.kill('SIGKILL');
        reject(err);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const timer = setTimeout(() => finish(new SnapshotError('timeout')), o.timeoutMs);
    cmd.on('stderr', (line: string) => { stderr = (stderr + line + '\n').slice(-4000); });
    cmd.on('error', () => finish(new SnapshotError(classify(stderr))));
    // ffmpeg exits after its one frame; the pipe may still hold bytes then: done when both ended
    let ended = 0;
    const onEnd = () => {
      if (++ended < 2) return;
      const jpeg = Buffer.concat(chunks, size);
      const whole = jpeg.length > 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8 && jpeg[jpeg.length - 2] === 0xff && jpeg[jpeg.length - 1] === 0xd9;
      finish(whole ? null : new SnapshotError(classify(stderr)));
    };
    cmd.on('end', onEnd);
    const out = cmd.pipe() as NodeJS.ReadableStream;
    out.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(new SnapshotError('unreadable'));
      chunks.push(chunk);
    });
    out.on('end', onEnd);
    out.on('error', () => {}); // the command's 'error' reports it
  });
};
