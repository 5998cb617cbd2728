/** What the end-to-end suites share. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestVideo } from '../../infra/services/video.ts';

/**
 * A clip of `photo` (one face) walking slowly past a 640x360 camera, 4 s looped by the RTSP server,
 * a key frame every second (so the stream node analyses one frame a second at interval 1000 ms).
 */
export async function walkingClip(dir: string, name: string, photo: Buffer): Promise<string> {
  const still = join(dir, `${name}.jpg`);
  await writeFile(still, photo);
  return makeTestVideo({
    foreground: still, out: join(dir, `${name}.h264`), width: 640, height: 360, seconds: 4, gop: 25, foregroundWidth: 200, speed: 8, noise: 0, bitrate: '800k',
  });
}
