import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ErrorTable as E } from '../../core/errors.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';

const PIC = /^\/pictures\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.(jpg|png|bmp|webp)$/;

describe.each(backends)('pictures (%s)', (backend) => {
  let api: Api;
  let fx: Fixtures;
  beforeAll(async () => {
    [api, fx] = await Promise.all([startApi(backend, { MAX_IMAGE_PIXELS: '2000000', MAX_UPLOAD_BYTES: '3000000' }), makeFixtures()]);
    await api.login();
  });
  afterAll(async () => { await api?.stop(); });

  describe('happy', () => {
    it('UploadPersonPicture → pic_url; DownloadPersonPicture returns the same bytes (EXIF kept)', async () => {
      const up = await api.upload(fx.aliceExif);
      expect(up).toMatchObject({ code: 0, msg: '' });
      expect(up.pic_url).toMatch(PIC);
      expect(up.pic_url.endsWith('.jpg')).toBe(true);
      const down = await api.call('/DownloadPersonPicture', { pic_url: up.pic_url });
      expect(down.code).toBe(0);
      const bytes = Buffer.from(down.data, 'base64');
      expect(bytes.equals(fx.aliceExif)).toBe(true);
      expect((await sharp(bytes).metadata()).orientation).toBe(6);
    });

    it('names the object after the decoded format, not the file name; BMP and WebP are accepted', async () => {
      expect((await api.upload(fx.bobPng, 'photo.jpg')).pic_url).toMatch(/\.png$/);
      const webp = await sharp(fx.bob).webp().toBuffer();
      expect((await api.upload(webp, 'x.bin', { type: 'application/octet-stream' })).pic_url).toMatch(/\.webp$/);
      const { data, info } = await sharp(fx.bob).raw().toBuffer({ resolveWithObject: true });
      expect((await api.upload(bmp(data, info.width, info.height, info.channels), 'b.bmp')).pic_url).toMatch(/\.bmp$/);
    });

    it('accepts the session as form field, X-Session and Authorization: Bearer', async () => {
      expect((await api.upload(fx.bob, 'a.jpg', { session: null, headers: { 'x-session': api.session } })).code).toBe(0);
      expect((await api.upload(fx.bob, 'a.jpg', { session: null, headers: { authorization: `Bearer ${api.session}` } })).code).toBe(0);
    });

    it('DeletePicture removes it', async () => {
      const { pic_url } = await api.upload(fx.bob);
      expect(await api.call('/DeletePicture', { pic_url })).toEqual({ code: 0, msg: '' });
      expect((await api.call('/DownloadPersonPicture', { pic_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
      expect((await api.call('/DeletePicture', { pic_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
    });
  });

  describe('error', () => {
    it('refuses what is not an image, too many pixels, too many bytes, a missing or wrong file field', async () => {
      const txt = await api.upload(Buffer.from('hello, not an image'), 'a.jpg');
      expect(txt.code).toBe(E.NOT_AN_IMAGE.code);
      expect(txt.msg).toMatch(/^file:/);
      const big = await sharp({ create: { width: 1600, height: 1600, channels: 3, background: '#000' } }).png().toBuffer();
      expect((await api.upload(big, 'big.png')).code).toBe(E.IMAGE_TOO_LARGE.code);
      expect((await api.upload(Buffer.alloc(3_100_000, 1), 'huge.jpg')).code).toBe(E.BODY_TOO_LARGE.code);
      expect(await api.upload(fx.bob, 'a.jpg', { field: 'picture' })).toEqual({ code: E.INVALID_FIELD.code, msg: 'file: is required' });
      const form = new FormData();
      form.append('session', api.session);
      form.append('file', 'just text');
      const r = await (await fetch(`${api.url}/UploadPersonPicture`, { method: 'POST', body: form })).json() as { code: number; msg: string };
      expect(r.code).toBe(E.INVALID_FIELD.code);
      expect(r.msg).toMatch(/^file:/);
    });

    it('a broken multipart body is MALFORMED_JSON; a repeated field is INVALID_FIELD', async () => {
      const broken = await (await api.raw('/UploadPersonPicture', { headers: { 'content-type': 'multipart/form-data; boundary=zzz', 'x-session': api.session }, body: '--zzz\r\ngarbage' })).json() as { code: number };
      expect(broken.code).toBe(E.MALFORMED_JSON.code);
      const form = new FormData();
      form.append('session', api.session);
      form.append('file', new Blob([new Uint8Array(fx.bob)]), 'a.jpg');
      form.append('file', new Blob([new Uint8Array(fx.bob)]), 'b.jpg');
      const twice = await (await fetch(`${api.url}/UploadPersonPicture`, { method: 'POST', body: form })).json() as { code: number; msg: string };
      expect(twice).toEqual({ code: E.INVALID_FIELD.code, msg: 'file: must be given once' });
    });

    it('an upload as JSON is UNSUPPORTED_CONTENT_TYPE', async () => {
      expect((await api.call('/UploadPersonPicture', { file: 'abc' })).code).toBe(E.UNSUPPORTED_CONTENT_TYPE.code);
    });

    it('unknown pictures are PICTURE_NOT_FOUND', async () => {
      const ghost = '/pictures/2026/01/01/00000000-0000-4000-8000-000000000000.jpg';
      expect((await api.call('/DownloadPersonPicture', { pic_url: ghost })).code).toBe(E.PICTURE_NOT_FOUND.code);
      expect((await api.call('/DeletePicture', { pic_url: ghost })).code).toBe(E.PICTURE_NOT_FOUND.code);
      expect((await api.call('/DownloadPersonPicture', {})).msg).toBe('pic_url: is required');
    });
  });

  describe('security', () => {
    const evil = [
      '/pictures/../../../etc/passwd', '../../etc/passwd', '/etc/passwd', 'http://169.254.169.254/latest/meta-data',
      's3://other-bucket/pictures/2026/01/01/00000000-0000-4000-8000-000000000000.jpg',
      '/other/2026/01/01/00000000-0000-4000-8000-000000000000.jpg', 'pictures/2026/01/01/00000000-0000-4000-8000-000000000000.jpg',
      '/pictures/2026/01/01/00000000-0000-4000-8000-000000000000.jpg/../../db', '/pictures/2026/01/01/%2e%2e%2f%2e%2e.jpg',
      '/pictures/2026/01/01/00000000-0000-4000-8000-000000000000.jpg\u0000.png', '/db/PG_VERSION', '',
    ];
    it.each(evil)('pic_url %j is INVALID_PIC_URL for download and delete', async (pic_url) => {
      const d = await api.call('/DownloadPersonPicture', { pic_url });
      expect(d.code === E.INVALID_PIC_URL.code || (pic_url.includes('\u0000') && d.code === E.INVALID_FIELD.code)).toBe(true);
      expect(d.data).toBeUndefined();
      const del = await api.call('/DeletePicture', { pic_url });
      expect([E.INVALID_PIC_URL.code, E.INVALID_FIELD.code]).toContain(del.code);
    });

    it('a capture image is downloadable but not deletable with DeletePicture', async () => {
      const url = '/captures/2026/01/01/00000000-0000-4000-8000-00000000c0de.jpg';
      await api.host.resources.store.put(url.slice(1), fx.bob, 'image/jpeg');
      await api.host.resources.repos.pictures.insert({ url, kind: 'capture', contentType: 'image/jpeg', bytes: fx.bob.length, width: 1, height: 1 });
      expect((await api.call('/DownloadPersonPicture', { pic_url: url })).code).toBe(0);
      expect((await api.call('/DeletePicture', { pic_url: url })).code).toBe(E.INVALID_PIC_URL.code);
    });

    it('an object in the store without a row is not served', async () => {
      const url = '/pictures/2026/01/01/00000000-0000-4000-8000-0000000000aa.jpg';
      await api.host.resources.store.put(url.slice(1), fx.bob, 'image/jpeg');
      expect((await api.call('/DownloadPersonPicture', { pic_url: url })).code).toBe(E.PICTURE_NOT_FOUND.code);
    });

    it('uploads need a session', async () => {
      expect((await api.upload(fx.bob, 'a.jpg', { session: null })).code).toBe(E.SESSION_MISSING.code);
      expect((await api.upload(fx.bob, 'a.jpg', { session: 'nope' })).code).toBe(E.SESSION_INVALID.code);
    });
  });
});

/** A bottom-up 24-bit BMP of raw RGB(A) pixels. */
function bmp(px: Buffer, w: number, h: number, ch: number): Buffer {
  const row = Math.ceil((w * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * h);
  out.write('BM', 0);
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(w, 18);
  out.writeInt32LE(h, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(row * h, 34);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * ch;
      const d = 54 + (h - 1 - y) * row + x * 3;
      out[d] = px[s + 2]; out[d + 1] = px[s + 1]; out[d + 2] = px[s];
    }
  }
  return out;
}
