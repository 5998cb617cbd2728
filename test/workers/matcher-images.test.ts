/**
 * The matcher and the face crop behind a message, as the host builds it (workers/index.ts: the
 * crop's header read, not decoded): a JPEG crop gives a record and a `pictures` row with its size;
 * bytes that are no image, a capture_url that is no capture key and a crop missing past the wait are
 * dropped without a record, counted by why; a crop not there yet is asked for again. Embedded PGlite,
 * local store, in-process bus; handle() called directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, encodeEmbedding, FaceMessageSchema, type Bus } from '../../core/bus/index.ts';
import { EMBEDDING_DIM } from '../../core/constants.ts';
import { readImageInfo } from '../../core/face/index.ts';
import { createLogger } from '../../core/log.ts';
import { captureKey, createObjectStore, type ObjectStore } from '../../core/storage/index.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createRepositories, type Repositories } from '../../db/repositories/index.ts';
import { pictures } from '../../db/schema.ts';
import { createMatcher, type Matcher } from '../../workers/matcher.ts';
import { makeFixtures, type Fixtures } from '../functions/fixtures.ts';
import { seedGate } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'matcher-images-'));
let db: Database, repos: Repositories, store: ObjectStore, bus: Bus, matcher: Matcher, fx: Fixtures;
let task: number, camera: number;

beforeAll(async () => {
  [db, fx] = await Promise.all([openDatabase({ kind: 'pglite', dataDir: null }), makeFixtures()]);
  repos = createRepositories(db.orm);
  store = await createObjectStore({ kind: 'local', dir });
  bus = createMemoryBus();
  ({ camera, task } = await seedGate(repos));
  matcher = createMatcher({
    bus, repos, store, imageInfo: readImageInfo, log: createLogger('silent'), timeZone: 'UTC', recordPeriodMs: 0, imageWaitMs: 2000, imageRetryMs: 1000,
  });
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await store?.close?.();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** a stranger's face message (each its own face), its crop stored unless `crop` is null */
async function message(id: string, crop: Buffer | null, key = captureKey({ time: Date.now(), cameraId: camera, name: `test-${id}` })) {
  if (crop) await store.put(key, crop, 'image/jpeg');
  const embedding = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.sin(i * (id.length + 1)));
  return FaceMessageSchema.parse({
    message_id: id, task_id: task, camera_id: camera, camera_list: 1, capture_time: Date.now(),
    box: { x: 10, y: 10, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(embedding), capture_url: key, node: 'test',
  });
}

describe('matcher: the capture image', () => {
  it('a JPEG crop: a record, and its picture row with the crop\'s bytes and size', async () => {
    const m = await message('ok', fx.bob);
    const id = await matcher.handle(m);
    expect(id).toBeGreaterThan(0);
    const info = await readImageInfo(fx.bob);
    const [row] = await db.orm.select().from(pictures).where(eq(pictures.url, `/${m.capture_url}`));
    expect(row).toMatchObject({ kind: 'capture', contentType: 'image/jpeg', bytes: fx.bob.length, width: info.width, height: info.height });
    expect(info.width).toBeGreaterThan(0);
  });

  it('drops, without a record: bytes that are no image, a capture_url that is no capture key, a crop still missing after the wait', async () => {
    const before = structuredClone(matcher.stats.dropped);
    const text = await message('text', Buffer.from('this is not a picture at all'));
    expect(await matcher.handle(text)).toBeUndefined();
    const foreign = await message('foreign', null, 'pictures/elsewhere/x.jpg');
    expect(await matcher.handle(foreign)).toBeUndefined();
    const missing = await message('missing', null);
    // imageWaitMs / imageRetryMs = 2 tries: the first is asked again, the second gives up
    await expect(matcher.handle(missing, 1)).rejects.toThrow(/not in the store yet/);
    expect(await matcher.handle(missing, 2)).toBeUndefined();
    expect(matcher.stats.dropped).toEqual({ ...before, notAnImage: before.notAnImage + 1, badCaptureUrl: before.badCaptureUrl + 1, imageMissing: before.imageMissing + 1 });
    expect(await repos.records.countByMessageIds(['text', 'foreign', 'missing'])).toBe(0);
  });
});
