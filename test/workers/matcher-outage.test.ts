/**
 * The matcher's two kinds of failure apart: with a delivery limit of 1 (a message failing once for a
 * reason of its own would be dead-lettered at once), a face message that arrives while Postgres or
 * the object store is down is held and retried in place, then recorded: no delivery spent, nothing
 * dead-lettered. Real Postgres protocol server (PGlite with many sessions) and S3 server, each
 * stopped for 3 s; in-process bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channels, createMemoryBus, encodeEmbedding, type Bus, type FaceMessage } from '../../core/bus/index.ts';
import { EMBEDDING_DIM } from '../../core/constants.ts';
import { readImageInfo } from '../../core/face/index.ts';
import { createLogger } from '../../core/log.ts';
import { captureKey, createObjectStore, type ObjectStore } from '../../core/storage/index.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createRepositories, type Repositories } from '../../db/repositories/index.ts';
import { startPgliteServer, startS3Server, type PgliteServer, type S3Server } from '../../infra/services/index.ts';
import { createMatcher, type Matcher } from '../../workers/matcher.ts';
import { makeFixtures, type Fixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { seedGate } from './helpers.ts';

let pg: PgliteServer;
let s3: S3Server;
let db: Database;
let repos: Repositories;
let store: ObjectStore;
let bus: Bus;
let matcher: Matcher;
let fx: Fixtures;
let task: number;
let camera: number;
const dir = mkdtempSync(join(tmpdir(), 'matcher-outage-'));

beforeAll(async () => {
  [pg, s3, fx] = await Promise.all([startPgliteServer({ sessions: 'many' }), startS3Server(), makeFixtures()]);
  db = await openDatabase({ kind: 'postgres', url: pg.url, maxConnections: 2 });
  repos = createRepositories(db.orm);
  store = await createObjectStore({ kind: 's3', endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  bus = createMemoryBus();
  ({ camera, task } = await seedGate(repos));
  // recordPeriodMs 0: each message its own record (the two strangers' embeddings are alike enough to join otherwise)
  matcher = createMatcher({ bus, repos, store, imageInfo: readImageInfo, log: createLogger('silent'), maxDeliver: 1, retryMs: 50, ackWaitMs: 3000, timeZone: 'UTC', recordPeriodMs: 0 });
  await matcher.start();
}, 120_000);

afterAll(async () => {
  await matcher?.stop();
  await bus?.close();
  await store?.close?.();
  await db?.close();
  await Promise.allSettled([pg?.stop(), s3?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** a stranger's face message, its crop already stored (as a stream node stores it before publishing) */
async function message(id: string): Promise<FaceMessage> {
  const key = captureKey({ time: Date.now(), cameraId: camera, name: `test-${id}` });
  await store.put(key, fx.bob, 'image/jpeg');
  const embedding = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.sin(i + id.length));
  return {
    message_id: id, task_id: task, camera_id: camera, camera_list: 1, capture_time: Date.now(),
    box: { x: 10, y: 10, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(embedding), capture_url: key, node: 'test',
  };
}
const recorded = (id: string) => repos.records.countByMessageIds([id]).catch(() => 0);

describe('matcher during an outage, with a delivery limit of 1', () => {
  it.each([
    ['Postgres', () => pg.restart({ downMs: 3000 })],
    ['the object store', () => s3.restart({ downMs: 3000 })],
  ] as const)('%s down 3 s: the message is held and recorded after, no delivery spent, nothing dead-lettered', async (what, outage) => {
    const m = await message(`during-${what.length}`);
    const before = structuredClone(matcher.stats);
    const down = outage();
    await new Promise((r) => setTimeout(r, 300));
    await Channels.faces.publish(bus, m);
    await until(() => matcher.stats.retries > before.retries, 'the matcher holding the message', 10_000);
    await down;
    await until(async () => (await recorded(m.message_id)) === 1, 'the record after the outage', 20_000);
    expect(matcher.stats.redeliveries).toBe(before.redeliveries);
    expect(matcher.stats.deadLetters).toEqual(before.deadLetters);
    expect(matcher.stats.recorded[0]).toBe(before.recorded[0] + 1);
  }, 60_000);
});
