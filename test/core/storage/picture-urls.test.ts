/** The picture reference contract (core/storage/picture-urls.ts): what the node builds, the API parses. */
import { describe, expect, it } from 'vitest';
import { captureKey, captureUrlOfKey, parsePictureUrl, uploadUrl } from '../../../core/storage/index.ts';

const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('picture references', () => {
  it('a capture key a stream node builds is a capture reference the API reads', () => {
    const key = captureKey({ time: Date.UTC(2026, 10, 23, 23, 59), cameraId: 7, name: 'edge-1-m1a2b3-12-0' });
    expect(key).toBe('captures/2026-11-23/7/edge-1-m1a2b3-12-0.jpg');
    expect(captureUrlOfKey(key)).toBe(`/${key}`);
    expect(captureUrlOfKey(`//${key}`)).toBe(`/${key}`);
    expect(parsePictureUrl(`/${key}`)).toEqual({ kind: 'captures', url: `/${key}`, key });
  });

  it('an upload reference is a picture; the first documented capture shape stays readable', () => {
    const url = uploadUrl({ year: 2026, month: 1, day: 2 }, uuid, 'png');
    expect(url).toBe(`/pictures/2026/01/02/${uuid}.png`);
    expect(parsePictureUrl(url)?.kind).toBe('pictures');
    expect(parsePictureUrl(`/captures/2026/01/02/${uuid}.jpg`)?.kind).toBe('captures');
    expect(captureUrlOfKey(url.slice(1))).toBeUndefined(); // an upload is not a capture a node may name
  });

  it.each([
    '/etc/passwd', `/pictures/2026/01/02/${uuid}.exe`, `/pictures/../2026/01/02/${uuid}.jpg`, `pictures/2026/01/02/${uuid}.jpg`,
    `http://x/pictures/2026/01/02/${uuid}.jpg`, '/captures/2026-11-23/7/../x.jpg', '/captures/2026-11-23/x/a.jpg', '/captures/2026-11-23/7/.a.jpg',
    '/captures/2026-11-23/7/a.png', '',
  ])('%j is not a reference of this server', (url) => {
    expect(parsePictureUrl(url)).toBeUndefined();
  });
});
