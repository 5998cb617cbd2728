/**
 * The matcher's returns rule, on both backends (PGlite in process; postgres.js over the wire with S3),
 * with face messages published as stream nodes send them: one record per appearance (a better shot
 * improves it, its old image deleted), at most one per person per task and camera per
 * RECORD_PERIOD_MS whichever node sent the faces, strangers told apart by their embedding. The
 * rule counts from the appearances' start times (message fields), so nothing here waits for a clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEmbedding, Subjects, type FaceMessage } from '../../core/bus/index.ts';
import { ErrorTable as E } from '../../core/errors.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { makeFixtures, type Fixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';

const PERIOD = 60_000;
const day = new Date().toISOString().slice(0, 10);

describe.each(backends)('matcher: one record per appearance, one per person per period (%s)', (backend) => {
  let api: Api;
  let fx: Fixtures;
  let lib: number;
  let alice: number;
  let camera: number;
  const emb: Record<'alice' | 'bob' | 'carol', Float32Array> = {} as never;

  beforeAll(async () => {
    fx = await makeFixtures();
    api = await startApi(backend, { RECORD_PERIOD_MS: String(PERIOD) });
    await api.login();
    lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
    alice = (await api.call('/AddPerson', { lib_id: lib, name: 'Alice', pic_url: (await api.upload(fx.alice)).pic_url })).person_id;
    camera = (await api.call('/AddCamera', { name: 'door', rtsp: 'rtsp://127.0.0.1:1/none' })).camera_id;
    const face = api.host.resources.face;
    emb.alice = (await face.enrol(fx.alice2)).embedding;
    emb.bob = (await face.enrol(fx.bob)).embedding;
    emb.carol = (await face.enrol(fx.carol)).embedding;
  }, 120_000);

  afterAll(async () => { await api?.stop(); });

  /** a task of its own per test: the rule is per task and camera */
  const newTask = async (name: string) => (await api.call('/AddTask', { name, camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id as number;
  let n = 0;
  /** a face message of appearance `appearance` (node-run-track-window) whose window started at `start` */
  async function send(task: number, appearance: string, start: number, o: { embedding: Float32Array; quality?: number; crop?: Buffer; at?: number }) {
    const id = `${appearance}-${n++}`;
    const key = `captures/${day}/${camera}/${id}.jpg`;
    await api.host.resources.store.put(key, o.crop ?? fx.alice2, 'image/jpeg');
    const m: FaceMessage = {
      message_id: `${id}-${camera}-${task}`, task_id: task, camera_id: camera, camera_list: 1, capture_time: o.at ?? start,
      box: { x: 10, y: 10, width: 100, height: 120 }, quality: o.quality ?? 0.6, embedding: encodeEmbedding(o.embedding), capture_url: key,
      node: appearance.split('-')[0], appearance, appearance_start: start,
    };
    await api.host.resources.bus.publish(Subjects.faces(task, camera), m, { msgId: m.message_id });
    return m;
  }
  const records = async (task: number) => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 100, task_id: task })).info.items as any[];
  /** the matcher took every message so far: a marker message (a face of its own task) has its record */
  async function settled() {
    const marker = await newTask(`marker-${n}`);
    await send(marker, `marker-${n}-1-0`, Date.now(), { embedding: emb.bob });
    await until(async () => (await records(marker)).length === 1, 'the marker record', 20_000);
  }
  const noisy = (v: Float32Array) => v.map((x) => x + (Math.random() - 0.5) * 0.01);

  type Shot = { embedding: Float32Array; quality: number; crop: Buffer };
  /**
   * Three shots of one appearance in turn: its first, a better one, a worse one. Gives the record
   * after the first and after the better shot, having checked that the record shows the better
   * shot's image and that the worse shot changed nothing.
   */
  async function firstBetterWorse(task: number, appearance: string, t0: number, shots: { first: Shot; better: Shot; worse: Shot }) {
    await send(task, appearance, t0, shots.first);
    await until(async () => (await records(task)).length === 1, 'the first record', 20_000);
    const [first] = await records(task);
    await send(task, appearance, t0, { ...shots.better, at: t0 + 3000 });
    await until(async () => (await records(task))[0].capture_url !== first.capture_url, 'the better shot', 20_000);
    const [better] = await records(task);
    const img = await api.call('/DownloadPersonPicture', { pic_url: better.capture_url });
    expect(Buffer.from(img.data, 'base64').equals(shots.better.crop)).toBe(true);
    await send(task, appearance, t0, { ...shots.worse, at: t0 + 6000 });
    await settled();
    expect(await records(task)).toEqual([better]);
    return { first, better };
  }

  it('a better shot of an appearance improves its record (image replaced, old one deleted, capture time kept); a worse one changes nothing', async () => {
    const task = await newTask('improve');
    const { first, better } = await firstBetterWorse(task, 'A-run1-1-0', Date.now() - 30_000, {
      first: { embedding: emb.alice, quality: 0.5, crop: fx.alice },
      better: { embedding: emb.alice, quality: 0.8, crop: fx.alice2 },
      worse: { embedding: emb.alice, quality: 0.6, crop: fx.alice },
    });
    expect(first).toMatchObject({ classify: 1, person_id: alice });
    expect(better).toMatchObject({ record_id: first.record_id, capture_time: first.capture_time, person_id: alice });
    expect((await api.call('/DownloadPersonPicture', { pic_url: first.capture_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
  }, 60_000);

  it('the same person again within RECORD_PERIOD_MS, from another node or after a restart: no second record; after the period: one more', async () => {
    const task = await newTask('returns');
    const t0 = Date.now() - 200_000;
    await send(task, 'A-run1-7-0', t0, { embedding: emb.alice });
    await until(async () => (await records(task)).length === 1, 'the first record', 20_000);
    // node B took the camera over (a new run, a new track) 20 s later; node A restarted 50 s later
    await send(task, 'B-run1-1-0', t0 + 20_000, { embedding: noisy(emb.alice) });
    await send(task, 'A-run2-1-0', t0 + 50_000, { embedding: noisy(emb.alice) });
    await settled();
    expect(await records(task)).toHaveLength(1);
    // a period after the first appearance started, a new appearance is a new record
    await send(task, 'B-run1-2-0', t0 + PERIOD + 1000, { embedding: noisy(emb.alice) });
    await until(async () => (await records(task)).length === 2, 'the record of the next period', 20_000);
    // and the period now counts from that record: 30 s later, nothing new
    await send(task, 'A-run2-5-0', t0 + PERIOD + 31_000, { embedding: noisy(emb.alice) });
    await settled();
    expect((await records(task)).map((r) => r.person_id)).toEqual([alice, alice]);
  }, 60_000);

  it('strangers: the same face again within the period joins its record, another face is a record of its own', async () => {
    const task = await newTask('strangers');
    const t0 = Date.now() - 100_000;
    await send(task, 'A-run1-1-0', t0, { embedding: emb.carol, crop: fx.carol });
    await until(async () => (await records(task)).length === 1, 'the stranger\'s record', 20_000);
    await send(task, 'B-run1-1-0', t0 + 10_000, { embedding: noisy(emb.carol), crop: fx.carol });
    await send(task, 'B-run1-2-0', t0 + 10_000, { embedding: emb.bob, crop: fx.bob });
    await until(async () => (await records(task)).length === 2, 'the second stranger', 20_000);
    await settled();
    const rows = await records(task);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.classify === 0 && r.person_id === 0)).toBe(true);
  }, 60_000);

  it('a stranger\'s better shot improves its record (image replaced, old one deleted, still a stranger); a worse one changes nothing', async () => {
    const task = await newTask('stranger-better');
    const { first, better } = await firstBetterWorse(task, 'A-run1-5-0', Date.now() - 10_000, {
      first: { embedding: emb.carol, quality: 0.4, crop: fx.carol },
      better: { embedding: noisy(emb.carol), quality: 0.8, crop: fx.bob },
      worse: { embedding: noisy(emb.carol), quality: 0.5, crop: fx.carol },
    });
    expect(first).toMatchObject({ classify: 0, person_id: 0 });
    expect(better).toMatchObject({ record_id: first.record_id, capture_time: first.capture_time, classify: 0, person_id: 0 });
    expect((await api.call('/DownloadPersonPicture', { pic_url: first.capture_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
  }, 60_000);

  it('a stranger\'s record becomes the person when a better shot of the appearance is recognised', async () => {
    const task = await newTask('recognised');
    const t0 = Date.now() - 10_000;
    const unclear = emb.alice.map((x, i) => (i % 2 ? x : -x)); // far from everyone
    await send(task, 'A-run1-3-0', t0, { embedding: unclear, quality: 0.35 });
    await until(async () => (await records(task)).length === 1, 'the stranger record', 20_000);
    expect((await records(task))[0]).toMatchObject({ classify: 0, person_id: 0 });
    await send(task, 'A-run1-3-0', t0, { embedding: emb.alice, quality: 0.9, at: t0 + 3000 });
    await until(async () => (await records(task))[0].classify === 1, 'the record recognised', 20_000);
    expect(await records(task)).toEqual([expect.objectContaining({ person_id: alice, person_name: 'Alice', lib_id: lib })]);
  }, 60_000);

  it('a better shot that arrives before the first one: one record, with the better shot', async () => {
    const task = await newTask('reordered');
    const t0 = Date.now() - 10_000;
    await send(task, 'A-run1-4-0', t0, { embedding: emb.alice, quality: 0.9, crop: fx.alice2, at: t0 + 3000 });
    await until(async () => (await records(task)).length === 1, 'the record', 20_000);
    const [r] = await records(task);
    await send(task, 'A-run1-4-0', t0, { embedding: emb.alice, quality: 0.5, crop: fx.alice });
    await settled();
    expect(await records(task)).toEqual([r]);
  }, 60_000);
});
