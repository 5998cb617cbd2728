/**
 * The matcher on a real nats-server with the real API host (PGlite, local store, no stream node):
 * face messages published straight to the FACES stream become records — the enrolled person matched
 * (classify 1, names and photo copied, capture image downloadable), a stranger classify 0 — and the
 * host restarted mid-stream loses no message and duplicates no record, also when a message id is
 * delivered again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, encodeEmbedding, Streams, Subjects, type Bus, type FaceMessage } from '../../core/bus/index.ts';
import { ErrorTable as E } from '../../core/errors.ts';
import { captureKey } from '../../core/storage/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { startApi, type Api } from '../support/api.ts';
import { makeFixtures, type Fixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';

let nats: NatsServer;
let api: Api;
let bus: Bus;
let fx: Fixtures;
let lib: number;
let personId: number;
let task: number;
let camera: number;


beforeAll(async () => {
  [nats, fx] = await Promise.all([startNatsServer(), makeFixtures()]);
  // RECORD_PERIOD_MS 0: these tests send the same person again and again to see each matched; the
  // per-person rate limit has its own tests (matcher-appearances.test.ts)
  api = await startApi('embedded', { NATS_URL: nats.url, MATCHER_ACK_WAIT_MS: '1000', DESIRED_STATE_PERIOD_MS: '1000', RECORD_PERIOD_MS: '0' });
  await api.login();
  bus = await connectNatsBus({ servers: nats.url, name: 'test-publisher' });
  await bus.ensureStream(Streams.FACES);
  lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
  const pic = (await api.upload(fx.alice)).pic_url;
  const added = await api.call('/AddPerson', { lib_id: lib, name: 'Alice', pic_url: pic, card_no: 'A-1', category: 1 });
  expect(added.code).toBe(0);
  personId = added.person_id;
  camera = (await api.call('/AddCamera', { name: 'door', rtsp: 'rtsp://127.0.0.1:1/none' })).camera_id;
  task = (await api.call('/AddTask', { name: 'gate', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
}, 120_000);

afterAll(async () => {
  await bus?.close();
  await api?.stop();
  await nats?.stop();
});

/** a face message as a stream node sends it, with the crop already in the store */
async function message(id: string, embedding: Float32Array, crop: Buffer): Promise<FaceMessage> {
  const key = captureKey({ time: Date.now(), cameraId: camera, name: `test-${id}` });
  await api.host.resources.store.put(key, crop, 'image/jpeg');
  return {
    message_id: id, task_id: task, camera_id: camera, camera_list: 1, capture_time: Date.now(),
    box: { x: 10, y: 10, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(embedding), capture_url: key, node: 'test',
  };
}
const publish = (m: FaceMessage, msgId = m.message_id) => bus.publish(Subjects.faces(m.task_id, m.camera_id), m, { msgId });
const records = async (extra: Record<string, unknown> = {}) => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1000, task_id: task, ...extra })).info;

describe('matcher', () => {
  it('matches an enrolled face (classify 1) and records a stranger (classify 0)', async () => {
    const face = api.host.resources.face;
    const alice = await face.enrol(fx.alice2);
    const carol = await face.enrol(fx.carol);
    await publish(await message('m-alice', alice.embedding, fx.alice2));
    await publish(await message('m-carol', carol.embedding, fx.carol));
    await until(async () => (await records()).total_count === 2, 'two records', 20_000);
    const items = (await records()).items as any[];
    const a = items.find((r) => r.classify === 1);
    const c = items.find((r) => r.classify === 0);
    expect(a).toMatchObject({ task_id: task, task_name: 'gate', camera_id: camera, camera_name: 'door', lib_id: lib, lib_name: 'staff', person_id: personId, person_name: 'Alice', card_no: 'A-1', category: 1 });
    expect(a.similarity).toBeGreaterThanOrEqual(0.8);
    expect(a.pic_url).toMatch(/^\/pictures\//);
    expect(c).toMatchObject({ person_id: 0, lib_id: 0, person_name: '', pic_url: '' });
    expect(c.similarity).toBeLessThan(0.8);
    // the capture image is served like any picture
    const img = await api.call('/DownloadPersonPicture', { pic_url: a.capture_url });
    expect(img.code).toBe(0);
    expect(Buffer.from(img.data, 'base64').equals(fx.alice2)).toBe(true);
    // and goes with its record
    expect((await api.call('/DeleteTaskCaptureRecord', { record_id: c.record_id })).code).toBe(0);
    expect((await api.call('/DownloadPersonPicture', { pic_url: c.capture_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
  }, 60_000);

  it('searches only the task\'s libraries', async () => {
    // the same face enrolled in a library the task does not use: never the match
    const other = (await api.call('/AddLibrary', { name: 'elsewhere' })).lib_id;
    const pic = (await api.upload(fx.alice2)).pic_url;
    expect((await api.call('/AddPerson', { lib_id: other, name: 'Alice elsewhere', pic_url: pic })).code).toBe(0);
    const emb = (await api.host.resources.face.enrol(fx.alice2)).embedding;
    await publish(await message('m-libs', emb, fx.alice2));
    await until(async () => (await records({ classify: 1, lib_id: lib })).total_count === 2, 'the match in the task\'s library', 20_000);
    expect((await records({ lib_id: other })).total_count).toBe(0);
  }, 30_000);

  it('the task\'s threshold decides classify, and a threshold changed by UpdateTask applies to the next face', async () => {
    const strict = (await api.call('/AddTask', { name: 'strict', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 1 })).task_id;
    const emb = (await api.host.resources.face.enrol(fx.alice2)).embedding;
    await publish({ ...(await message('m-strict-1', emb, fx.alice2)), task_id: strict });
    await until(async () => (await records({ task_id: strict })).total_count === 1, 'the record under threshold 1', 20_000);
    const below = (await records({ task_id: strict })).items[0];
    // Alice, but below this task's threshold: a stranger whose best similarity is kept
    expect(below).toMatchObject({ classify: 0, person_id: 0, person_name: '' });
    expect(below.similarity).toBeGreaterThanOrEqual(0.8);
    expect(below.similarity).toBeLessThan(1);
    expect((await api.call('/UpdateTask', { task_id: strict, threshold: Math.floor(below.similarity * 100) / 100 })).code).toBe(0);
    await publish({ ...(await message('m-strict-2', emb, fx.alice2)), task_id: strict });
    await until(async () => (await records({ task_id: strict })).total_count === 2, 'the record after UpdateTask', 20_000);
    expect((await records({ task_id: strict, classify: 1 })).items).toEqual([expect.objectContaining({ person_id: personId, person_name: 'Alice' })]);
  }, 30_000);

  it('a sign-in task keeps its captures with the list the camera came from', async () => {
    const exit = (await api.call('/AddCamera', { name: 'exit', rtsp: 'rtsp://127.0.0.1:1/exit' })).camera_id;
    const signIn = (await api.call('/AddTask', {
      name: 'attendance', type: 3, camera_list1: String(camera), camera_list2: String(exit), lib_list: String(lib), interval: 1000, threshold: 0.8,
    })).task_id;
    const emb = (await api.host.resources.face.enrol(fx.alice2)).embedding;
    const m = { ...(await message('m-exit', emb, fx.alice2)), task_id: signIn, camera_id: exit, camera_list: 2 as const };
    await publish(m);
    await until(async () => (await records({ task_id: signIn })).total_count === 1, 'the sign-in record', 20_000);
    expect((await records({ task_id: signIn })).items[0]).toMatchObject({ classify: 1, person_id: personId, camera_name: 'exit', task_name: 'attendance' });
    const { rows } = await api.host.resources.repos.records.list({ taskId: signIn }, { pageNo: 1, pageSize: 10 });
    expect(rows[0].cameraList).toBe(2);
  }, 30_000);

  it('restarted mid-stream: every message gives exactly one record; a redelivered id gives none', async () => {
    const before = (await records()).total_count as number;
    const N = 30;
    const msgs: FaceMessage[] = [];
    for (let i = 0; i < N; i++) {
      const v = new Float32Array(512).map(() => Math.random() - 0.5);
      msgs.push(await message(`r-${i}`, v, fx.bob));
    }
    for (const m of msgs.slice(0, 10)) await publish(m);
    await until(async () => (await records()).total_count > before, 'the first records', 20_000);
    // restart the whole host (matcher included) while messages keep coming
    const restarting = api.restart();
    for (const m of msgs.slice(10, 20)) await publish(m);
    await restarting;
    await api.login();
    for (const m of msgs.slice(20)) await publish(m);
    // the same message ids again, past JetStream's dedupe (another Nats-Msg-Id): the matcher must drop them
    for (const m of msgs.slice(0, 5)) await publish(m, `${m.message_id}-again`);
    await until(async () => (await records()).total_count === before + N, `${N} new records`, 30_000);
    // nothing more arrives late (redeliveries after the ack wait of 1 s)
    await new Promise((r) => setTimeout(r, 2500));
    expect((await records()).total_count).toBe(before + N);
    expect(await api.host.resources.repos.records.countByMessageIds(msgs.map((m) => m.message_id))).toBe(N);
  }, 90_000);

  it('drops malformed messages and keeps going', async () => {
    const before = (await records()).total_count as number;
    await bus.publish(Subjects.faces(task, camera), { message_id: 'bad', task_id: task }, { msgId: 'bad' });
    await publish(await message('after-bad', new Float32Array(512).fill(0.1), fx.bob));
    await until(async () => (await records()).total_count === before + 1, 'the record after a malformed message', 20_000);
  }, 30_000);
});
