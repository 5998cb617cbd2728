/**
 * What the records are for, from a real scene (the embedded default: one process, GStreamer RTSP
 * cameras looping an H.264 clip made from a real photo): a blacklisted person seen at the entrance
 * camera, later at the exit camera, by a sign-in task. The records raise their alarms, arrive on
 * GET /Events as they are written, and make the person's attendance (first in at the entrance, last
 * out at the exit); a roll-call task on the entrance finds her present and an absent colleague.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../core/time.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeFixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { startApi, type Api } from '../support/api.ts';
import { openSse, type SseClient } from '../support/sse.ts';
import { walkingClip } from './helpers.ts';

let dir: string;
let rtsp: RtspServer;
let api: Api;
let events: SseClient;
let lib: number;
let alice: number;
let bob: number;
const cam = { entrance: 0, exit: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-reports-'));
  const fx = await makeFixtures();
  rtsp = await startRtspServer({ streams: [
    { path: 'entrance', source: await walkingClip(dir, 'alice-in', fx.alice) },
    { path: 'exit', source: await walkingClip(dir, 'alice-out', fx.alice) },
  ] });
  api = await startApi('embedded', { DESIRED_STATE_PERIOD_MS: '1000', DETECT_WIDTH: '640', LEASE_TTL_MS: '1500', PUBLISH_PERIOD_MS: '60000' });
  await api.login();
  lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
  alice = (await api.call('/AddPerson', { lib_id: lib, name: 'Alice', category: 1, pic_url: (await api.upload(fx.alice)).pic_url })).person_id;
  bob = (await api.call('/AddPerson', { lib_id: lib, name: 'Bob', pic_url: (await api.upload(fx.bob)).pic_url })).person_id;
  cam.entrance = (await api.call('/AddCamera', { name: 'entrance', rtsp: rtsp.urlFor('entrance') })).camera_id;
  // the exit shows nothing until she leaves (UpdateCamera below)
  cam.exit = (await api.call('/AddCamera', { name: 'exit', rtsp: rtsp.urlFor('nobody') })).camera_id;
  events = await openSse(`${api.url}/Events?types=capture,alarm`, { 'x-session': api.session });
}, 120_000);

afterAll(async () => {
  events?.close();
  await api?.stop();
  await rtsp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const records = async (task: number) => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 100, task_id: task })).info.items as any[];

describe('records at work (a real scene)', () => {
  it('sign-in: in at the entrance, out at the exit; alarms with the records; the records live on /Events', async () => {
    const task = (await api.call('/AddTask', {
      name: 'office', type: 3, camera_list1: String(cam.entrance), camera_list2: String(cam.exit), lib_list: String(lib), interval: 1000, threshold: 0.8,
    })).task_id;
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    await until(async () => (await records(task)).some((r) => r.camera_id === cam.entrance && r.person_id === alice), 'Alice at the entrance', 60_000);
    // later, she leaves
    expect((await api.call('/UpdateCamera', { camera_id: cam.exit, rtsp: rtsp.urlFor('exit') })).code).toBe(0);
    await until(async () => (await records(task)).some((r) => r.camera_id === cam.exit && r.person_id === alice), 'Alice at the exit', 60_000);
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    const recs = (await records(task)).filter((r) => r.person_id === alice);
    const firstIn = recs.filter((r) => r.camera_id === cam.entrance).map((r) => r.capture_time).sort()[0];
    const lastOut = recs.filter((r) => r.camera_id === cam.exit).map((r) => r.capture_time).sort().reverse()[0];

    const today = localDate(new Date(), 'Asia/Shanghai');
    const att = await api.call('/QueryAttendance', { task_id: task, start_date: today, end_date: today, page_no: 1, page_size: 10 });
    expect(att.info.items).toEqual([
      expect.objectContaining({ date: today, person_id: alice, first_in: firstIn, in_camera_name: 'entrance', last_out: lastOut, out_camera_name: 'exit', status: 0 }),
      expect.objectContaining({ date: today, person_id: bob, status: 4 }),
    ]);

    // every record of the blacklisted person raised its alarm, with it
    const alarms = (await api.call('/QueryAlarmList', { page_no: 1, page_size: 100, task_id: task })).info.items as any[];
    expect(alarms.map((a) => a.record_id).sort()).toEqual(recs.map((r) => r.record_id).sort());
    expect(alarms.every((a) => a.type === 1 && a.person_name === 'Alice')).toBe(true);
    // and the stream carried each record and alarm as it was written
    await events.until((ev) => ev.filter((e) => e.event === 'alarm').length >= alarms.length, 'the alarms on /Events');
    const live = events.events.filter((e) => e.event === 'capture').map((e) => JSON.parse(e.data));
    for (const r of recs) expect(live).toContainEqual(r);
  }, 150_000);

  it('roll call: present with the first capture of the window, the colleague who did not come absent', async () => {
    const task = (await api.call('/AddTask', { name: 'muster', type: 1, camera_list1: String(cam.entrance), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    await until(async () => (await records(task)).some((r) => r.person_id === alice), 'Alice at the muster point', 60_000);
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    const first = (await records(task)).filter((r) => r.person_id === alice).at(-1);
    const r = await api.call('/QueryRollCall', { task_id: task, page_no: 1, page_size: 10 });
    expect(r.info).toMatchObject({ expected: 2, present_count: 1, absent_count: 1 });
    expect(r.info.items).toEqual([
      expect.objectContaining({ person_id: bob, present: 0 }),
      expect.objectContaining({ person_id: alice, present: 1, first_time: first.capture_time, camera_name: 'entrance', capture_url: first.capture_url }),
    ]);
  }, 120_000);
});
