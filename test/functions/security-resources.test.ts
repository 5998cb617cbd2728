/**
 * The resource findings of the adversarial review (issue 10, items 6-9), reproduced over HTTP against
 * the real host on loopback with bounded counts: anonymous bodies and uploads, BMP decoding, big
 * photos and face comparisons, deep JSON. RSS figures for 40 MP comparisons: `npm run bench:abuse`.
 */
import { request } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';
import { startApi, type Api, type Reply } from '../support/api.ts';

/** A multipart body by hand: parts in the order given. */
function form(parts: { name: string; value: string | Buffer; filename?: string }[], boundary = 'xBOUNDARYx'): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}\r\n${p.filename ? 'content-type: application/octet-stream\r\n' : ''}\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * Sends `head`, then waits: resolves with the answer if it comes while the rest of the body is still
 * unsent (the server decided without reading it), or with 'waiting' after `ms`. Never sends the rest.
 */
function answerBeforeRest(api: Api, uri: string, headers: Record<string, string | number>, head: Buffer, ms = 5000): Promise<Reply | 'waiting'> {
  const url = new URL(api.url + uri);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => { clearTimeout(timer); resolve(JSON.parse(Buffer.concat(chunks).toString())); req.destroy(); });
    });
    const timer = setTimeout(() => { resolve('waiting'); req.destroy(); }, ms);
    req.on('error', (e) => { if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e); });
    req.write(head);
  });
}

/** A 1-bit BMP of w x h (palette black/white): tiny per pixel, huge when decoded to RGB. */
function bmp1bit(w: number, h: number): Buffer {
  const stride = Math.ceil(w / 32) * 4;
  const header = Buffer.alloc(62);
  header.write('BM', 0);
  header.writeUInt32LE(62 + stride * h, 2);
  header.writeUInt32LE(62, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(w, 18);
  header.writeInt32LE(h, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(1, 28);
  header.writeUInt32LE(2, 46);
  header.writeUInt32LE(0x00ffffff, 58); // colour 1 white
  const pixels = Buffer.alloc(stride * h, 0x55);
  return Buffer.concat([header, pixels]);
}

describe('resources under attack (embedded)', () => {
  let api: Api;
  let pics: Fixtures;
  beforeAll(async () => {
    [api, pics] = await Promise.all([
      startApi('embedded', { MAX_CONCURRENT_BODIES: '1', MAX_CONCURRENT_IMAGES: '1', MAX_QUEUED: '1', MAX_FORM_PARTS: '8', UPLOAD_QUOTA_BYTES: String(12 * 1024 * 1024) }),
      makeFixtures(),
    ]);
    await api.login();
  });
  afterAll(async () => { await api?.stop(); });

  it('6. an upload whose first part is not the session is refused before the rest of it is read', async () => {
    const head = form([{ name: 'file', value: Buffer.alloc(64 * 1024, 1), filename: 'x.jpg' }]).subarray(0, 70 * 1024);
    const r = await answerBeforeRest(api, '/UploadPersonPicture', { 'content-type': 'multipart/form-data; boundary=xBOUNDARYx', 'content-length': 10 * 1024 * 1024 }, head);
    expect(r).toMatchObject({ code: E.SESSION_MISSING.code });
    // a header session that is wrong is refused before any of the body
    const h = await answerBeforeRest(api, '/UploadPersonPicture', { 'content-type': 'multipart/form-data; boundary=xBOUNDARYx', 'content-length': 10 * 1024 * 1024, 'x-session': 'forged' }, Buffer.from('--xBOUNDARYx\r\n'));
    expect(h).toMatchObject({ code: E.SESSION_INVALID.code });
    // so is a JSON body
    const j = await answerBeforeRest(api, '/AddLibrary', { 'content-type': 'application/json', 'content-length': 500_000, authorization: 'Bearer forged' }, Buffer.from('{"name":"'));
    expect(j).toMatchObject({ code: E.SESSION_INVALID.code });
  });

  it('6. a form with more parts than MAX_FORM_PARTS is TOO_MANY_FIELDS, without reading them all', async () => {
    const parts = [{ name: 'session', value: api.session }, ...Array.from({ length: 20_000 }, (_, i) => ({ name: `f${i}`, value: 'x' }))];
    const res = await fetch(`${api.url}/UploadPersonPicture`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xBOUNDARYx' }, body: form(parts) });
    const r = (await res.json()) as Reply;
    expect(r.code).toBe(E.TOO_MANY_FIELDS.code);
    expect(r.msg).toMatch(/^form: more than 8 parts/);
  });

  it('6. 20 anonymous 2 MiB uploads at once: each SESSION_MISSING; a logged-in query is answered meanwhile', async () => {
    const junk = form([{ name: 'file', value: Buffer.alloc(2 * 1024 * 1024, 7), filename: 'x.jpg' }, ...Array.from({ length: 2000 }, (_, i) => ({ name: `f${i}`, value: 'y' }))]);
    const flood = Array.from({ length: 20 }, () => fetch(`${api.url}/UploadPersonPicture`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xBOUNDARYx' }, body: junk })
      .then((res) => res.json() as Promise<Reply>).catch(() => ({ code: -1 }) as Reply));
    const query = await api.call('/QueryLibraryList', { page_no: 1, page_size: 10 });
    expect(query.code).toBe(0);
    const codes = (await Promise.all(flood)).map((r) => r.code);
    // the server may close a connection whose body it stopped reading before fetch has sent it all (-1)
    expect(codes.every((c) => c === E.SESSION_MISSING.code || c === -1)).toBe(true);
    expect(codes.filter((c) => c === E.SESSION_MISSING.code).length).toBeGreaterThan(0);
  });

  it('6. big JSON bodies not yet tied to a session are read a few at a time (SERVER_BUSY beyond); a header session skips that line', async () => {
    // three anonymous 200 KB bodies that arrive slowly: one is read, one waits, the third is refused
    const slow = () => answerBeforeRest(api, '/AddLibrary', { 'content-type': 'application/json', 'content-length': 200_000 }, Buffer.from('{"name":"'), 1500);
    const answers = await Promise.all([slow(), slow(), slow()]);
    expect(answers.filter((a) => a !== 'waiting' && a.code === E.SERVER_BUSY.code)).toHaveLength(1);
    expect(answers.filter((a) => a === 'waiting')).toHaveLength(2);
    // meanwhile a big body with its session in a header is read at once
    const big = await fetch(`${api.url}/AddLibrary`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-session': api.session }, body: JSON.stringify({ name: 'big', remark: 'r'.repeat(1000), pad: 'p'.repeat(300_000) }) });
    expect(((await big.json()) as Reply).code).toBe(0);
  });

  it('7. an 8000x5000 1-bit BMP (5 MB) is decoded in the face worker, not on the event loop, and stored with its own size', async () => {
    // the real engine, watched: every upload's decode goes through FaceEngine.probe (the worker)
    const face = api.host.resources.face;
    const probe = face.probe;
    const probed: number[] = [];
    face.probe = (b) => { probed.push(b.length); return probe(b); };
    try {
      const file = bmp1bit(8000, 5000);
      const r = await api.upload(file, 'big.bmp', { type: 'image/bmp' });
      expect(r.code, r.msg).toBe(0);
      expect(probed).toEqual([file.length]);
      const row = await api.host.resources.repos.pictures.find(r.pic_url);
      expect(row).toMatchObject({ width: 8000, height: 5000, contentType: 'image/bmp' });
    } finally {
      face.probe = probe;
    }
  });

  it('8. a 36 MP camera photo (4912x7360) is accepted for enrolment, shrunk on load', async () => {
    const big = await sharp(pics.alice).resize(4912, 7360, { fit: 'contain', background: '#888' }).jpeg({ quality: 60 }).toBuffer();
    const up = await api.upload(big, 'big.jpg');
    expect(up.code, up.msg).toBe(0);
    const lib = await api.call('/AddLibrary', { name: 'big photos' });
    const r = await api.call('/AddPerson', { lib_id: lib.lib_id, name: 'Alice', pic_url: up.pic_url });
    expect(r.code, r.msg).toBe(0);
    await api.call('/DeletePerson', { lib_id: lib.lib_id, person_id: r.person_id });
  });

  it('8. comparisons beyond MAX_CONCURRENT_IMAGES + MAX_QUEUED (per lane: small and big pictures) are refused with SERVER_BUSY; the others are answered', async () => {
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) {
      const img = await sharp(pics.alice).resize(1600 + i * 8).jpeg({ quality: 80 }).toBuffer();
      urls.push((await api.upload(img, `a${i}.jpg`)).pic_url);
    }
    const answers = await Promise.all(urls.map((u, i) => api.call('/Compare1V1', { first_pic: u, second_pic: urls[(i + 1) % urls.length] })));
    const codes = answers.map((a) => a.code);
    expect(codes.filter((c) => c === E.SERVER_BUSY.code).length).toBeGreaterThan(0);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(2);
    expect(answers.find((a) => a.code === E.SERVER_BUSY.code)!.msg).toMatch(/^server is busy: 1 small pictures being decoded and 1 waiting/);
    // once the burst is over the same comparison is answered
    expect((await api.call('/Compare1V1', { first_pic: urls[0], second_pic: urls[1] })).code).toBe(0);
  });

  it('8. uploads beyond UPLOAD_QUOTA_BYTES are refused with UPLOAD_QUOTA_EXCEEDED; deleting frees the quota', async () => {
    const session = await (async () => {
      await api.call('/RegisterUser', { name: 'quota-user', password: '0'.repeat(32) });
      const r = await api.call('/Login', { username: 'quota-user', password: '0'.repeat(32) }, { session: null });
      return r.session as string;
    })();
    // noise does not compress: a few MB per upload, so a few uploads reach the quota
    const img = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 95 }).toBuffer();
    const n = Math.floor((12 * 1024 * 1024) / img.length);
    expect(n).toBeGreaterThanOrEqual(1);
    const urls: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await api.upload(img, 'q.jpg', { session });
      expect(r.code, r.msg).toBe(0);
      urls.push(r.pic_url);
    }
    const over = await api.upload(img, 'q.jpg', { session });
    expect(over.code).toBe(E.UPLOAD_QUOTA_EXCEEDED.code);
    expect(over.msg).toMatch(/^file: /);
    // another account's quota is its own
    expect((await api.upload(pics.bob, 'b.jpg')).code).toBe(0);
    expect((await api.call('/DeletePicture', { pic_url: urls[0] }, { session })).code).toBe(0);
    expect((await api.upload(img, 'q.jpg', { session })).code).toBe(0);
  });

  it('9. a 10,000-level nested config, or body, is JSON_TOO_DEEP, not a stack overflow', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const r = await api.call('/UpdateSystemConfig', { name: 'Deep', config: `{"a":${deep}}` });
    expect(r).toEqual({ code: E.JSON_TOO_DEEP.code, msg: 'config: JSON nested deeper than 32 levels' });
    const body = await fetch(`${api.url}/AddLibrary`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-session': api.session }, body: `{"name":"x","deep":${deep}}` });
    expect(await body.json()).toEqual({ code: E.JSON_TOO_DEEP.code, msg: 'body: JSON nested deeper than 32 levels' });
    // 32 levels are fine
    expect((await api.call('/UpdateSystemConfig', { name: 'Deep', config: `{"a":${'['.repeat(31)}${']'.repeat(31)}}` })).code).toBe(0);
  });
});
