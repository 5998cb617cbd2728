/**
 * The matcher as an operator sees it, on the real host (embedded: PGlite, in-process bus):
 * counters on GET /metrics moving after a capture; a poison face message (one the database refuses
 * every time) moved to DEAD_LETTERS after MATCHER_MAX_DELIVER deliveries, counted and kept, while
 * the next good message is still recorded; a face message with a broken embedding dead-lettered at
 * once. The poison is real: a trigger the test installs in the real database refuses that message's
 * insert, as a constraint would.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channels, encodeEmbedding, Streams, type DeadLetter, type FaceMessage } from '../../core/bus/index.ts';
import { EMBEDDING_DIM } from '../../core/constants.ts';
import { captureKey } from '../../core/storage/index.ts';
import { makeFixtures, type Fixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { startApi, type Api } from '../support/api.ts';

let api: Api;
let fx: Fixtures;
let task: number;
let camera: number;

beforeAll(async () => {
  fx = await makeFixtures();
  // RECORD_PERIOD_MS 0: each message its own record (the poison shows Alice again right after good-1,
  // which would otherwise join good-1's record and never reach the refusing insert)
  api = await startApi('embedded', { MATCHER_MAX_DELIVER: '3', MATCHER_RETRY_MS: '50', RECORD_PERIOD_MS: '0' });
  await api.login();
  const lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
  expect((await api.call('/AddPerson', { lib_id: lib, name: 'Alice', pic_url: (await api.upload(fx.alice)).pic_url })).code).toBe(0);
  camera = (await api.call('/AddCamera', { name: 'door', rtsp: 'rtsp://127.0.0.1:1/none' })).camera_id;
  task = (await api.call('/AddTask', { name: 'gate', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
  const { orm } = api.host.resources.db;
  await orm.execute(sql.raw(`create function test_refuse_poison() returns trigger language plpgsql as $$
    begin if new.message_id like 'poison-%' then raise exception 'refused by the test'; end if; return new; end $$`));
  await orm.execute(sql.raw('create trigger test_refuse_poison before insert on capture_records for each row execute function test_refuse_poison()'));
}, 120_000);
afterAll(async () => { await api?.stop(); });

/** a face message as a stream node sends it, its crop in the store */
async function message(id: string, embedding: Float32Array, crop: Buffer): Promise<FaceMessage> {
  const key = captureKey({ time: Date.now(), cameraId: camera, name: `test-${id}` });
  await api.host.resources.store.put(key, crop, 'image/jpeg');
  return {
    message_id: id, task_id: task, camera_id: camera, camera_list: 1, capture_time: Date.now() - 1500,
    box: { x: 10, y: 10, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(embedding), capture_url: key, node: 'test',
  };
}
const publish = (m: FaceMessage) => Channels.faces.publish(api.host.resources.bus, m);
const records = async () => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 100, task_id: task })).info;

/** one sample of GET /metrics (0 when absent) */
async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('matcher on /metrics, and poison messages', () => {
  it('a capture moves the counters: records written, lag, API calls', async () => {
    const before = await metric('facewatch_records_written_total', 'classify="1"');
    await publish(await message('good-1', (await api.host.resources.face.enrol(fx.alice2)).embedding, fx.alice2));
    await until(async () => (await records()).total_count === 1, 'the record', 20_000);
    expect(await metric('facewatch_records_written_total', 'classify="1"')).toBe(before + 1);
    expect(await metric('facewatch_matcher_lag_seconds')).toBeGreaterThanOrEqual(1.5); // captured 1.5 s before it was sent
    expect(await metric('facewatch_matcher_pending_messages')).toBe(0);
    expect(await metric('facewatch_http_requests_total', 'uri="/QueryTaskCaptureRecord",code="0"')).toBeGreaterThanOrEqual(1);
    expect(await metric('facewatch_cameras')).toBeGreaterThanOrEqual(1);
    expect(await metric('facewatch_stream_frames_analysed_total', 'node="embedded"')).toBe(0); // the embedded node is there, with no camera
  }, 60_000);

  it('a message the database refuses every time is dead-lettered after 3 deliveries; the next is recorded', async () => {
    const redeliveries = await metric('facewatch_matcher_redeliveries_total');
    await publish(await message('poison-1', (await api.host.resources.face.enrol(fx.alice2)).embedding, fx.alice2));
    await publish(await message('good-2', (await api.host.resources.face.enrol(fx.carol)).embedding, fx.carol));
    await until(async () => (await metric('facewatch_dead_letters_total', 'reason="failed"')) === 1, 'the poison dead-lettered', 20_000);
    await until(async () => (await records()).total_count === 2, 'the good message after it recorded', 20_000);
    expect(((await records()).items as { classify: number }[]).map((r) => r.classify).sort()).toEqual([0, 1]); // carol is a stranger
    expect(await metric('facewatch_matcher_redeliveries_total')).toBe(redeliveries + 2);
    const kept = await deadLetters();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ reason: 'failed', deliveries: 3, durable: 'matcher', stream: 'FACES', subject: `faces.${task}.${camera}`, data: { message_id: 'poison-1' } });
    expect(kept[0].error).toContain('refused by the test');
    await new Promise((r) => setTimeout(r, 500));
    expect(await metric('facewatch_matcher_redeliveries_total')).toBe(redeliveries + 2); // given up: not delivered again
    expect(await metric('facewatch_matcher_pending_messages')).toBe(0);
  }, 60_000);

  it('a message whose embedding is not finite is dead-lettered at once (malformed), without a record', async () => {
    const broken = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => (i === 3 ? Number.POSITIVE_INFINITY : 0.05));
    await publish(await message('broken-1', broken, fx.bob));
    await until(async () => (await metric('facewatch_dead_letters_total', 'reason="malformed"')) === 1, 'the broken message dead-lettered', 20_000);
    expect((await deadLetters()).find((d) => d.reason === 'malformed')).toMatchObject({ deliveries: 1, data: { message_id: 'broken-1' }, error: expect.stringContaining('non-finite') });
    expect((await records()).total_count).toBe(2);
  }, 60_000);
});

/** what DEAD_LETTERS holds, read by a consumer of the test's own */
let readers = 0;
async function deadLetters(): Promise<DeadLetter[]> {
  const { bus } = api.host.resources;
  const durable = `reader-${++readers}`;
  const got: DeadLetter[] = [];
  const sub = await bus.consume({ stream: Streams.DEAD_LETTERS, durable }, (m) => { got.push(m.data as DeadLetter); });
  await until(async () => (await bus.pending(Streams.DEAD_LETTERS, durable)) === 0, 'every dead letter read', 5000);
  await sub.stop();
  return got;
}
