/**
 * The whole loop on loopback with real parts: nats-server (JetStream), GStreamer RTSP servers looping
 * H.264 clips made with ffmpeg from real photos, two stream nodes (stream-node/node.ts, each on its
 * own NATS connection), and the project's API host with its matcher (PGlite, local object store
 * shared with the nodes). Cases: an enrolled person gives one classify-1 record per period with a
 * downloadable capture image; an unknown face a stranger record; StopTask stops records; a camera
 * whose RTSP server dies goes offline and comes back; two nodes share four cameras and one takes all
 * when the other dies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, type Bus } from '../../core/bus/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { StreamNode } from '../../stream-node/node.ts';
import { makeFixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { startApi, type Api } from '../support/api.ts';
import { walkingClip } from './helpers.ts';

let dir: string;
let nats: NatsServer;
let rtsp: RtspServer;
let flaky: RtspServer;
let api: Api;
const buses: Bus[] = [];
const nodes = new Map<string, StreamNode>();
const cam: Record<'known' | 'stranger' | 'flaky' | 'extra', number> = { known: 0, stranger: 0, flaky: 0, extra: 0 };
let lib: number;
let alice: number;

async function startNode(name: string): Promise<StreamNode> {
  const bus = await connectNatsBus({ servers: nats.url, name });
  buses.push(bus);
  const { face, store } = api.host.resources;
  const node = new StreamNode({
    node: name, capacity: 4, bus, engine: face, store, leaseTtlMs: 1500, detectWidth: 640,
    tracker: { publishPeriodMs: 60_000, maxIdleMs: 5000, minQuality: 0.3 },
  });
  await node.start();
  nodes.set(name, node);
  return node;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-e2e-'));
  const fx = await makeFixtures();
  const [known, stranger, n] = await Promise.all([walkingClip(dir, 'known', fx.alice), walkingClip(dir, 'stranger', fx.carol), startNatsServer()]);
  nats = n;
  [rtsp, flaky] = await Promise.all([
    startRtspServer({ streams: [{ path: 'known', source: known }, { path: 'stranger', source: stranger }, { path: 'extra', source: known }] }),
    startRtspServer({ streams: [{ path: 'flaky', source: stranger }] }),
  ]);
  api = await startApi('embedded', {
    NATS_URL: nats.url, DESIRED_STATE_PERIOD_MS: '1000', CAMERA_STATE_STALE_MS: '3000', MATCHER_ACK_WAIT_MS: '2000',
  });
  await api.login();
  lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
  const pic = (await api.upload(fx.alice)).pic_url;
  alice = (await api.call('/AddPerson', { lib_id: lib, name: 'Alice', pic_url: pic })).person_id;
  expect(alice).toBeGreaterThan(0);
  for (const name of Object.keys(cam) as Array<keyof typeof cam>) {
    const url = name === 'flaky' ? flaky.urlFor('flaky') : rtsp.urlFor(name);
    cam[name] = (await api.call('/AddCamera', { name, rtsp: url })).camera_id;
  }
  await startNode('A');
  await startNode('B');
}, 120_000);

afterAll(async () => {
  for (const n of nodes.values()) await n.stop().catch(() => {});
  for (const b of buses) await b.close().catch(() => {});
  await api?.stop();
  await Promise.all([rtsp?.stop(), flaky?.stop(), nats?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const addTask = async (name: string, cameras: number[]) => {
  const r = await api.call('/AddTask', { name, camera_list1: cameras.join(','), lib_list: String(lib), interval: 1000, threshold: 0.8 });
  expect(r.code).toBe(0);
  return r.task_id as number;
};
const records = async (f: Record<string, unknown>) => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1000, ...f })).info;
const online = async (id: number) => ((await api.call('/QueryCameraList', { page_no: 1, page_size: 100 })).info.items as any[]).find((c) => c.camera_id === id)?.online;
const taskCameraState = async (task: number, id: number) => {
  const t = ((await api.call('/QueryTaskList', { page_no: 1, page_size: 100 })).info.items as any[]).find((x) => x.task_id === task);
  return [...t.camera_list1, ...t.camera_list2].find((c: any) => c.camera_id === id)?.state;
};
const readBy = () => [...nodes.values()].flatMap((n) => n.cameras).sort((a, b) => a - b);

describe('live recognition end to end', () => {
  it('an enrolled person gives one classify-1 record per period, a stranger classify 0; StopTask stops records', async () => {
    const task = await addTask('door', [cam.known, cam.stranger]);
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    await until(async () => (await records({ task_id: task, camera_id: cam.known, classify: 1 })).total_count >= 1, 'a matched record', 60_000);
    await until(async () => (await records({ task_id: task, camera_id: cam.stranger })).total_count >= 1, 'a stranger record', 30_000);
    const [matched] = (await records({ task_id: task, camera_id: cam.known })).items as any[];
    expect(matched).toMatchObject({ classify: 1, person_id: alice, person_name: 'Alice', lib_id: lib, lib_name: 'staff', task_name: 'door', camera_name: 'known' });
    expect(matched.similarity).toBeGreaterThanOrEqual(0.8);
    const img = await api.call('/DownloadPersonPicture', { pic_url: matched.capture_url });
    expect(img.code).toBe(0);
    expect(Buffer.from(img.data, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8'); // a JPEG
    const [stranger] = (await records({ task_id: task, camera_id: cam.stranger })).items as any[];
    expect(stranger).toMatchObject({ classify: 0, person_id: 0, person_name: '' });
    expect(stranger.similarity).toBeLessThan(0.8);
    // both cameras measured open in the task, and online
    expect(await taskCameraState(task, cam.known)).toBe(1);
    expect(await online(cam.known)).toBe(1);

    // the person stays in view: still one record per track within the period (60 s), not one per frame
    await new Promise((r) => setTimeout(r, 4000));
    expect((await records({ task_id: task, camera_id: cam.known })).total_count).toBe(1);

    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    expect(await taskCameraState(task, cam.known)).toBe(0);
    await until(() => readBy().length === 0, 'the nodes to close the cameras', 15_000);
    // a closing camera ends its tracks and may send a last, better shot: let that arrive, then nothing more
    await new Promise((r) => setTimeout(r, 2000));
    const after = (await records({ task_id: task })).total_count;
    await new Promise((r) => setTimeout(r, 4000));
    expect((await records({ task_id: task })).total_count).toBe(after);
    await until(async () => (await online(cam.known)) === 0, 'the unread camera to be offline', 10_000);
  }, 150_000);

  it('a camera whose RTSP server dies goes offline, and online again when it comes back', async () => {
    const task = await addTask('flaky', [cam.flaky]);
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    await until(async () => (await online(cam.flaky)) === 1 && (await taskCameraState(task, cam.flaky)) === 1, 'the camera online', 30_000);
    await flaky.stop();
    await until(async () => (await online(cam.flaky)) === 0 && (await taskCameraState(task, cam.flaky)) === 0, 'the camera offline', 30_000);
    await flaky.start();
    await until(async () => (await online(cam.flaky)) === 1 && (await taskCameraState(task, cam.flaky)) === 1, 'the camera back online', 45_000);
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    await until(() => readBy().length === 0, 'the nodes to close the camera', 15_000);
  }, 120_000);

  it('two nodes share four cameras; when one dies the other takes them all', async () => {
    const four = [cam.known, cam.stranger, cam.flaky, cam.extra];
    const task = await addTask('all', four);
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    const [a, b] = [nodes.get('A')!, nodes.get('B')!];
    await until(() => readBy().join() === [...four].sort((x, y) => x - y).join() && a.cameras.length > 0 && b.cameras.length > 0,
      'the four cameras shared by both nodes', 30_000, () => `A ${a.cameras} B ${b.cameras}`);
    for (const id of four) await until(async () => (await online(id)) === 1, `camera ${id} online`, 30_000);
    await a.stop({ crash: true });
    nodes.delete('A');
    await until(() => b.cameras.length === 4, 'node B to take all four cameras', 20_000, () => `B ${b.cameras}`);
    for (const id of four) await until(async () => (await online(id)) === 1 && (await taskCameraState(task, id)) === 1, `camera ${id} online on B`, 30_000);
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
  }, 120_000);
});
