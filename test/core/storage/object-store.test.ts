/**
 * Both object stores through the one ObjectStore interface: the local directory store and the S3
 * store against a real S3-protocol server (s3rver in a child process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createObjectStore, SwitchableObjectStore, type ObjectStore, type StorageConfig } from '../../../core/storage/index.ts';
import { startS3Server, type S3Server } from '../../../infra/services/index.ts';
import { AppError } from '../../../core/errors.ts';

let s3: S3Server;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'facewatch-store-test-'));
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Each call gives a fresh, empty store of the kind, plus a config for a store that cannot work. */
const kinds: Array<{ kind: string; fresh(): StorageConfig; dead(): Promise<{ cfg: StorageConfig; close(): Promise<void> }> }> = [
  {
    kind: 'local',
    fresh: () => ({ kind: 'local', dir: join(tmp, randomUUID(), 'objects') }),
    // a directory that cannot exist: its parent is a file
    dead: async () => {
      const file = join(tmp, `file-${randomUUID()}`);
      await writeFile(file, 'x');
      return { cfg: { kind: 'local', dir: join(file, 'objects') }, close: async () => {} };
    },
  },
  {
    kind: 's3',
    fresh: () => ({ kind: 's3', endpoint: s3.endpoint, bucket: `b-${randomUUID().slice(0, 8)}`, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }),
    // a TCP peer that accepts and never answers: the worst case for a time limit
    dead: async () => {
      const sockets: Socket[] = [];
      const server: Server = createServer((s) => sockets.push(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      return {
        cfg: { kind: 's3', endpoint: `http://127.0.0.1:${port}`, bucket: 'x', accessKeyId: 'a', secretAccessKey: 'secret-never-shown' },
        close: async () => { sockets.forEach((s) => s.destroy()); await new Promise((r) => server.close(r)); },
      };
    },
  },
];

async function expectAppError(p: Promise<unknown>, kind: string): Promise<AppError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, `expected AppError ${kind}`).toBeInstanceOf(AppError);
  expect((e as AppError).kind).toBe(kind);
  return e as AppError;
}

describe.each(kinds)('$kind object store', ({ fresh, dead }) => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await createObjectStore(fresh());
    await store.check(); // creates the directory / bucket
  });
  afterAll(async () => { await store?.close?.(); });

  it('puts, gets and overwrites an object byte for byte', async () => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256));
    await store.put('pictures/2026/11/23/a.jpg', body, 'image/jpeg');
    expect((await store.get('pictures/2026/11/23/a.jpg')).equals(body)).toBe(true);
    await store.put('pictures/2026/11/23/a.jpg', Buffer.from('second'), 'image/jpeg');
    expect((await store.get('pictures/2026/11/23/a.jpg')).toString()).toBe('second');
  });

  it('treats a leading slash as part of nothing: "/k" and "k" are the same object', async () => {
    await store.put('/captures/x.jpg', Buffer.from('c'), 'image/jpeg');
    expect((await store.get('captures/x.jpg')).toString()).toBe('c');
  });

  it('answers PICTURE_NOT_FOUND for a missing key', async () => {
    await expectAppError(store.get('pictures/none.jpg'), 'PICTURE_NOT_FOUND');
    await expectAppError(store.get('pictures/none/deeper.jpg'), 'PICTURE_NOT_FOUND');
  });

  it('deletes, and deleting again or a missing key succeeds', async () => {
    await store.put('pictures/del.png', Buffer.from('d'), 'image/png');
    await store.delete('pictures/del.png');
    await expectAppError(store.get('pictures/del.png'), 'PICTURE_NOT_FOUND');
    await store.delete('pictures/del.png');
    await store.delete('never/was.png');
  });

  it.each([
    '../escape.jpg', 'a/../../escape.jpg', '..', '.', '', 'a//b', 'a/./b', '.hidden', 'a/.hidden',
    '..\\escape.jpg', '%2e%2e/escape.jpg', '//etc/passwd', 'a\0b', 'a b', 'x'.repeat(600),
  ])('refuses the key %j on every operation', async (key) => {
    await expectAppError(store.put(key, Buffer.from('evil'), 'image/jpeg'), 'INVALID_PIC_URL');
    await expectAppError(store.get(key), 'INVALID_PIC_URL');
    await expectAppError(store.delete(key), 'INVALID_PIC_URL');
  });

  it('check() on a dead target fails with STORAGE_UNAVAILABLE within about 3 s, no secret in the message', async () => {
    const d = await dead();
    const bad = await createObjectStore(d.cfg);
    const t0 = Date.now();
    try {
      const e = await expectAppError(bad.check(), 'STORAGE_UNAVAILABLE');
      expect(e.message).not.toContain('secret-never-shown');
      expect(Date.now() - t0).toBeLessThan(4500);
    } finally {
      await bad.close?.();
      await d.close();
    }
  });

  it('describe() names the place and no secret', () => {
    expect(store.describe()).toMatch(/^(file:\/\/\/|s3:\/\/b-[0-9a-f]{8}@http:\/\/127\.0\.0\.1:\d+$)/);
    expect(store.describe()).not.toContain(s3.secretAccessKey === 'S3RVER' ? 'S3RVER' : s3.secretAccessKey);
  });

  it('SwitchableObjectStore keeps the old target when the new one fails check(), and switches to a good one', async () => {
    const sw = new SwitchableObjectStore(store);
    await sw.put('pictures/sw.jpg', Buffer.from('old'), 'image/jpeg');
    const d = await dead();
    try {
      await expectAppError(sw.switchTo(await createObjectStore(d.cfg)), 'STORAGE_CONFIG_REJECTED');
    } finally {
      await d.close();
    }
    expect(sw.target).toBe(store);
    expect((await sw.get('pictures/sw.jpg')).toString()).toBe('old');

    const next = await createObjectStore(fresh());
    await sw.switchTo(next);
    expect(sw.target).toBe(next);
    expect(sw.describe()).toBe(next.describe());
    await expectAppError(sw.get('pictures/sw.jpg'), 'PICTURE_NOT_FOUND');
    await sw.put('pictures/sw.jpg', Buffer.from('new'), 'image/jpeg');
    expect((await next.get('pictures/sw.jpg')).toString()).toBe('new');
    expect((await store.get('pictures/sw.jpg')).toString()).toBe('old');
  });
});

describe('S3 object store without its bucket', () => {
  it('reports STORAGE_UNAVAILABLE (not PICTURE_NOT_FOUND) on get/put when the bucket is gone, and check() creates it', async () => {
    const store = await createObjectStore({ kind: 's3', endpoint: s3.endpoint, bucket: `gone-${randomUUID().slice(0, 8)}`, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    try {
      await expectAppError(store.get('pictures/a.jpg'), 'STORAGE_UNAVAILABLE');
      await expectAppError(store.put('pictures/a.jpg', Buffer.from('x'), 'image/jpeg'), 'STORAGE_UNAVAILABLE');
      await store.check();
      await expectAppError(store.get('pictures/a.jpg'), 'PICTURE_NOT_FOUND');
    } finally {
      await store.close?.();
    }
  });
});

describe('local object store files', () => {
  it('keeps objects inside its directory and leaves no temp files behind', async () => {
    const root = join(tmp, `root-${randomUUID()}`);
    const store = await createObjectStore({ kind: 'local', dir: join(root, 'objects') });
    await store.check();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put('p/same.jpg', Buffer.alloc(10_000, i), 'image/jpeg')));
    await store.put('../outside.jpg', Buffer.from('x'), 'image/jpeg').catch(() => {});
    expect(await readdir(root)).toEqual(['objects']);
    expect((await readdir(join(root, 'objects'), { recursive: true })).sort()).toEqual(['p', join('p', 'same.jpg')]);
    const got = await store.get('p/same.jpg');
    expect(got.length).toBe(10_000);
    expect(new Set(got).size).toBe(1); // one whole write, never a mix of two
  });
});
