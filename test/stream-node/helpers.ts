/** What the stream-node and bus tests share. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Photos shipped by the @vladmandic/face-api dev dependency (real people, 1920 px wide). */
export const demoPhotos = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
/** three people side by side */
export const threePeople = join(demoPhotos, 'sample1.jpg');

/** Polls `cond` until it holds; fails naming `what` (and the tail of `context()`) after timeoutMs. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000, context?: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${context ? `\n${context().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
