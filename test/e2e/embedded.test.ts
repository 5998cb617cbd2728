/**
 * The embedded default: `npm start` without any outside service is the whole system — the API host on
 * PGlite and the local object store, the in-process bus, the matcher and a stream node in the same
 * process. A task started on a real RTSP camera gives records; a started task outside its plan idles
 * until UpdateTask changes the plan (live, no restart); StartTask/StopTask refuse bad input with their
 * codes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { wallClock } from '../../core/time.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeFixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { startApi, type Api } from '../support/api.ts';
import { walkingClip } from './helpers.ts';

let dir: string;
let rtsp: RtspServer;
let api: Api;
let lib: number;
let camera: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-embedded-'));
  const fx = await makeFixtures();
  const clip = await walkingClip(dir, 'known', fx.alice);
  rtsp = await startRtspServer({ streams: [{ path: 'door', source: clip }] });
  // no NATS_URL, DATABASE_URL or S3_*: everything in this process
  api = await startApi('embedded', { DESIRED_STATE_PERIOD_MS: '1000', DETECT_WIDTH: '640', LEASE_TTL_MS: '1500', PUBLISH_PERIOD_MS: '60000' });
  await api.login();
  lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
  const pic = (await api.upload(fx.alice)).pic_url;
  expect((await api.call('/AddPerson', { lib_id: lib, name: 'Alice', pic_url: pic })).code).toBe(0);
  camera = (await api.call('/AddCamera', { name: 'door', rtsp: rtsp.urlFor('door') })).camera_id;
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await rtsp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const online = async () => ((await api.call('/QueryCameraList', { page_no: 1, page_size: 10 })).info.items as any[]).find((c) => c.camera_id === camera)?.online;
const records = async (task: number) => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 100, task_id: task })).info;

describe('embedded default (one process)', () => {
  it('runs a stream node on the in-process bus: StartTask on an RTSP camera gives a record', async () => {
    expect(api.host.node).toBeDefined();
    const task = (await api.call('/AddTask', { name: 'door', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0); // idempotent
    expect((await api.call('/DeleteTask', { task_id: task })).code).toBe(E.TASK_RUNNING.code);
    await until(async () => (await records(task)).total_count >= 1, 'a record', 60_000);
    expect((await records(task)).items[0]).toMatchObject({ classify: 1, person_name: 'Alice', camera_name: 'door' });
    const cams = (await api.call('/QueryCameraList', { page_no: 1, page_size: 10 })).info.items as any[];
    expect(cams.find((c) => c.camera_id === camera)).toMatchObject({ online: 1, state: 1 });
    // the embedded node's figures and the matcher's are on the host's /metrics
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(value('facewatch_stream_frames_analysed_total{node="embedded"}')).toBeGreaterThan(0);
    expect(value('facewatch_stream_faces_published_total{node="embedded"}')).toBeGreaterThan(0);
    expect(value('facewatch_stream_cameras{node="embedded"}')).toBe(1);
    expect(value('facewatch_records_written_total{classify="1"}')).toBeGreaterThan(0);
    expect(value('facewatch_cameras_online')).toBe(1);
    // UpdateCamera on a running task's camera takes effect live: a path the server lacks is offline, the right one online again
    expect((await api.call('/UpdateCamera', { camera_id: camera, rtsp: rtsp.urlFor('missing') })).code).toBe(0);
    await until(async () => (await online()) === 0, 'the camera offline on a wrong rtsp', 20_000);
    expect((await api.call('/UpdateCamera', { camera_id: camera, rtsp: rtsp.urlFor('door') })).code).toBe(0);
    await until(async () => (await online()) === 1, 'the camera online again', 20_000);
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    await until(() => api.host.node!.cameras.length === 0, 'the camera to close', 15_000);
    expect((await api.call('/DeleteTask', { task_id: task })).code).toBe(0);
  }, 90_000);

  it('a started task outside its plan idles; UpdateTask with another plan starts it live', async () => {
    const today = wallClock(new Date(), 'Asia/Shanghai').weekday; // startApi's TIME_ZONE
    const otherDay = String((today % 7) + 1);
    const task = (await api.call('/AddTask', {
      name: 'planned', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8, plan: JSON.stringify({ [otherDay]: ['00:00-24:00'] }),
    })).task_id;
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    const listed = ((await api.call('/QueryTaskList', { page_no: 1, page_size: 10, state: 1 })).info.items as any[]).find((t) => t.task_id === task);
    expect(listed.state).toBe(1); // started, but idle: not in the desired state
    const desired = await api.host.services.desiredState.desired(new Date());
    expect(desired.tasks.map((t) => t.task_id)).not.toContain(task);
    await new Promise((r) => setTimeout(r, 3000)); // three desired-state periods
    expect(api.host.node!.cameras).toEqual([]);
    // today, all day: the scheduler picks it up without a restart
    expect((await api.call('/UpdateTask', { task_id: task, plan: JSON.stringify({ [String(today)]: ['00:00-24:00'] }) })).code).toBe(0);
    await until(() => api.host.node!.cameras.includes(camera), 'the camera to open', 15_000);
    await until(async () => (await records(task)).total_count >= 1, 'a record of the planned task', 60_000);
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    await until(() => api.host.node!.cameras.length === 0, 'the camera to close', 15_000);
  }, 120_000);

  it('StartTask / StopTask: bad input gets its code', async () => {
    for (const uri of ['/StartTask', '/StopTask']) {
      expect((await api.call(uri, { task_id: 999_999 })).code).toBe(E.TASK_NOT_FOUND.code);
      const missing = await api.call(uri, {});
      expect(missing.code).toBe(E.INVALID_FIELD.code);
      expect(missing.msg).toMatch(/^task_id/);
      expect((await api.call(uri, { task_id: '1' })).code).toBe(E.INVALID_FIELD.code);
      expect((await api.call(uri, { task_id: 0 })).code).toBe(E.INVALID_FIELD.code);
      expect((await api.call(uri, { task_id: 1 }, { session: null })).code).toBe(E.SESSION_MISSING.code);
    }
  });
});
