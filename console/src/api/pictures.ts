/**
 * Pictures by pic_url (/DownloadPersonPicture answers base64): fetched at most 4 at a time, kept as
 * data: URLs for the last 400 pic_urls so paging back and forth does not fetch them again.
 */
import { createLimiter } from '../../../core/limiter.ts';
import { call } from './client.ts';

const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', webp: 'image/webp' };
const cache = new Map<string, Promise<string>>();
const LIMIT = 400;
const downloads = createLimiter(4);

export function pictureUrl(picUrl: string): Promise<string> {
  let p = cache.get(picUrl);
  if (p) {
    cache.delete(picUrl); // most recently used last
    cache.set(picUrl, p);
    return p;
  }
  p = downloads.run(() => call<{ data: string }>('/DownloadPersonPicture', { pic_url: picUrl })).then((r) => {
    const ext = picUrl.split('.').pop()?.toLowerCase() ?? 'jpg';
    return `data:${MIME[ext] ?? 'image/jpeg'};base64,${r.data}`;
  });
  p.catch(() => cache.delete(picUrl));
  cache.set(picUrl, p);
  while (cache.size > LIMIT) cache.delete(cache.keys().next().value!);
  return p;
}

/** Forget a picture (it was replaced or deleted). */
export const forgetPicture = (picUrl: string): void => { cache.delete(picUrl); };
