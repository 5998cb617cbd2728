/**
 * Alarms over HTTP on both backends: raised by the matcher with their record, in its transaction
 * (a blacklisted person: type 1; a stranger of a task with alarm_stranger: type 2; nothing else),
 * listed with filters, acknowledged (idempotent, by the calling user), deleted; their history and
 * pictures outlive the record. Camera health alarms (3 offline, 4 back) from the stream nodes'
 * state reports, once per outage longer than CAMERA_OFFLINE_ALARM_MS, none for a short one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subjects } from '../../core/bus/index.ts';
import { ErrorTable as E } from '../../core/errors.ts';
import { localDate } from '../../core/time.ts';
import { until } from '../stream-node/helpers.ts';
import { backends, md5, startApi, type Api } from '../support/api.ts';
import { publishFace, randomEmbedding } from '../support/faces.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';

describe.each(backends)('alarms (%s)', (backend) => {
  let api: Api;
  let fx: Fixtures;
  let lib: number;
  let alice: number;
  let camera: number;
  let door: number; // task without alarm_stranger
  let gate: number; // task with alarm_stranger
  let emb: { alice: Float32Array; bob: Float32Array };

  beforeAll(async () => {
    // no stream node: camera states come only from what the tests send, as a node would
    [api, fx] = await Promise.all([startApi(backend, { EMBEDDED_STREAM_NODE: '0', CAMERA_OFFLINE_ALARM_MS: '500', DESIRED_STATE_PERIOD_MS: '200' }), makeFixtures()]);
    await api.login();
    lib = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
    alice = (await api.call('/AddPerson', { lib_id: lib, name: 'Alice', category: 1, card_no: 'A-1', pic_url: (await api.upload(fx.alice)).pic_url })).person_id;
    expect((await api.call('/AddPerson', { lib_id: lib, name: 'Bob', pic_url: (await api.upload(fx.bob)).pic_url })).code).toBe(0);
    camera = (await api.call('/AddCamera', { name: 'lobby', rtsp: 'rtsp://127.0.0.1:1/lobby' })).camera_id;
    door = (await api.call('/AddTask', { name: 'door', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
    gate = (await api.call('/AddTask', { name: 'gate', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8, alarm_stranger: 1 })).task_id;
    emb = { alice: (await api.host.resources.face.enrol(fx.alice2)).embedding, bob: (await api.host.resources.face.enrol(fx.bob)).embedding };
  }, 120_000);
  afterAll(async () => { await api?.stop(); });

  const alarms = async (f: Record<string, unknown> = {}) => (await api.call('/QueryAlarmList', { page_no: 1, page_size: 100, ...f })).info;
  const records = async (task: number) => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 100, task_id: task })).info;

  it('AddTask / UpdateTask take alarm_stranger, late_grace, early_grace; QueryTaskList returns them', async () => {
    const listed = async (id: number) => ((await api.call('/QueryTaskList', { page_no: 1, page_size: 100 })).info.items as any[]).find((t) => t.task_id === id);
    expect(await listed(door)).toMatchObject({ alarm_stranger: 0, late_grace: 0, early_grace: 0 });
    expect(await listed(gate)).toMatchObject({ alarm_stranger: 1 });
    const t = (await api.call('/AddTask', { name: 'x', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8, late_grace: 5, early_grace: 10 })).task_id;
    expect(await listed(t)).toMatchObject({ alarm_stranger: 0, late_grace: 5, early_grace: 10 });
    expect((await api.call('/UpdateTask', { task_id: t, alarm_stranger: 1, late_grace: 0 })).code).toBe(0);
    expect(await listed(t)).toMatchObject({ alarm_stranger: 1, late_grace: 0, early_grace: 10 });
    for (const bad of [{ alarm_stranger: 2 }, { alarm_stranger: '1' }, { late_grace: -1 }, { early_grace: 1441 }, { late_grace: 1.5 }]) {
      const r = await api.call('/UpdateTask', { task_id: t, ...bad });
      expect(r.code).toBe(E.INVALID_FIELD.code);
      expect(r.msg).toMatch(new RegExp(`^${Object.keys(bad)[0]}:`));
    }
    expect((await api.call('/DeleteTask', { task_id: t })).code).toBe(0);
  });

  it('the matcher raises an alarm with its record: a blacklisted person (1), a stranger only where asked (2), nobody else', async () => {
    const stranger = randomEmbedding();
    await publishFace(api, { task: door, camera, embedding: emb.alice, crop: fx.alice2 }); // blacklisted: type 1
    await publishFace(api, { task: door, camera, embedding: emb.bob, crop: fx.bob }); // whitelisted: none
    await publishFace(api, { task: door, camera, embedding: stranger, crop: fx.carol }); // stranger, task without alarm_stranger: none
    await publishFace(api, { task: gate, camera, embedding: stranger, crop: fx.carol }); // stranger, alarm_stranger: type 2
    await until(async () => (await records(door)).total_count === 3 && (await records(gate)).total_count === 1, 'four records', 30_000);
    const list = await alarms();
    expect(list.total_count).toBe(2);
    const [a1] = list.items.filter((a: any) => a.type === 1);
    const [a2] = list.items.filter((a: any) => a.type === 2);
    const r1 = (await records(door)).items.find((r: any) => r.person_id === alice);
    const r2 = (await records(gate)).items[0];
    // the alarm copies its record
    expect(a1).toMatchObject({
      state: 0, alarm_time: r1.capture_time, task_id: door, task_name: 'door', camera_id: camera, camera_name: 'lobby', record_id: r1.record_id,
      person_id: alice, person_name: 'Alice', lib_id: lib, lib_name: 'staff', category: 1, similarity: r1.similarity, pic_url: r1.pic_url,
      capture_url: r1.capture_url, ack_user: '', ack_time: '', ack_remark: '',
    });
    expect(a2).toMatchObject({ task_id: gate, record_id: r2.record_id, person_id: 0, person_name: '', lib_id: 0, category: 0, pic_url: '', capture_url: r2.capture_url });
    expect(a2.similarity).toBe(r2.similarity);
    // newest first
    const times = list.items.map((a: any) => a.alarm_time);
    expect([...times].sort().reverse()).toEqual(times);
  }, 60_000);

  it('no record without its alarm: a write whose alarm or events fail leaves neither record nor alarm', async () => {
    const { repos } = api.host.resources;
    const before = (await alarms()).total_count;
    const fail = () => { throw new Error('events failed'); };
    await expect(repos.records.insertOnce(
      { messageId: 'tx-1', taskId: door, cameraId: camera, classify: 1, personId: alice, personName: 'Alice', category: 1, captureTime: new Date() },
      undefined, { day: localDate(new Date(), 'Asia/Shanghai'), alarmType: 1, events: fail },
    )).rejects.toThrow('events failed');
    expect(await repos.records.countByMessageIds(['tx-1'])).toBe(0);
    expect((await alarms()).total_count).toBe(before);
    // and the same write without the failure gives both, once (the message id is still free)
    expect(await repos.records.insertOnce(
      { messageId: 'tx-1', taskId: door, cameraId: camera, classify: 1, personId: alice, personName: 'Alice', category: 1, captureTime: new Date() },
      undefined, { alarmType: 1 },
    )).toBeTypeOf('number');
    expect((await alarms()).total_count).toBe(before + 1);
    expect(await repos.records.insertOnce({ messageId: 'tx-1', taskId: door, cameraId: camera, classify: 0, captureTime: new Date() }, undefined, { alarmType: 2 })).toBeUndefined();
    expect((await alarms()).total_count).toBe(before + 1);
  });

  it('filters: type, task_id, camera_id, state, start_time / end_time; bad input is named', async () => {
    const all = await alarms();
    expect((await alarms({ type: 1 })).items.every((a: any) => a.type === 1)).toBe(true);
    expect((await alarms({ type: 2 })).total_count).toBe(all.items.filter((a: any) => a.type === 2).length);
    expect((await alarms({ task_id: gate })).items.map((a: any) => a.task_id)).toEqual(all.items.filter((a: any) => a.task_id === gate).map(() => gate));
    expect((await alarms({ camera_id: camera })).total_count).toBe(all.total_count);
    expect((await alarms({ camera_id: 999_999 })).total_count).toBe(0);
    expect((await alarms({ state: 1 })).total_count).toBe(0);
    const newest = all.items[0].alarm_time;
    expect((await alarms({ start_time: newest })).items.every((a: any) => a.alarm_time >= newest)).toBe(true);
    expect((await alarms({ end_time: '2000-01-01 00:00:00' })).total_count).toBe(0);
    expect((await alarms({ start_time: '', end_time: '' })).total_count).toBe(all.total_count);
    for (const [f, field] of [[{ type: 5 }, 'type'], [{ state: 2 }, 'state'], [{ start_time: '2024-13-01 00:00:00' }, 'start_time'], [{ page_size: 0 }, 'page_size'],
      [{ start_time: '2024-01-02 00:00:00', end_time: '2024-01-01 00:00:00' }, 'end_time']] as const) {
      const r = await api.call('/QueryAlarmList', { page_no: 1, page_size: 10, ...f });
      expect({ code: r.code, field: r.msg.split(':')[0] }).toEqual({ code: E.INVALID_FIELD.code, field });
    }
    expect((await api.call('/QueryAlarmList', { page_no: 1, page_size: 10 }, { session: null })).code).toBe(E.SESSION_MISSING.code);
    // paging: page 2 of 1 is the rest, past the end is empty with the real total
    const p1 = (await api.call('/QueryAlarmList', { page_no: 1, page_size: 1 })).info;
    const p2 = (await api.call('/QueryAlarmList', { page_no: 2, page_size: 1 })).info;
    expect(p1.items[0].alarm_id).not.toBe(p2.items[0].alarm_id);
    expect((await api.call('/QueryAlarmList', { page_no: 99, page_size: 10 })).info).toMatchObject({ total_count: all.total_count, items: [] });
  });

  it('AckAlarm: by the calling user with a remark, idempotent, alarm_ids lists; an unknown id changes nothing', async () => {
    const ids = (await alarms()).items.map((a: any) => a.alarm_id) as number[];
    expect((await api.call('/RegisterUser', { name: 'op', password: md5('op-password-1') })).code).toBe(0);
    const op = await api.login('op', 'op-password-1');
    expect(await api.call('/AckAlarm', { alarm_ids: `${ids[0]},999999` }, { session: op })).toEqual({ code: E.ALARM_NOT_FOUND.code, msg: 'alarm_ids: no alarm 999999' });
    expect((await alarms({ state: 1 })).total_count).toBe(0);
    expect((await api.call('/AckAlarm', { alarm_id: ids[0], remark: 'seen on camera' }, { session: op })).code).toBe(0);
    const acked = (await alarms({ state: 1 })).items;
    expect(acked).toEqual([expect.objectContaining({ alarm_id: ids[0], state: 1, ack_user: 'op', ack_remark: 'seen on camera' })]);
    expect(acked[0].ack_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // again, by someone else: the first acknowledgement stays
    expect((await api.call('/AckAlarm', { alarm_ids: ids.join(','), remark: 'all' })).code).toBe(0);
    const after = (await alarms()).items;
    expect(after.every((a: any) => a.state === 1)).toBe(true);
    expect(after.find((a: any) => a.alarm_id === ids[0])).toMatchObject({ ack_user: 'op', ack_remark: 'seen on camera' });
    expect(after.find((a: any) => a.alarm_id === ids[1])).toMatchObject({ ack_user: 'admin', ack_remark: 'all' });
    expect((await api.call('/AckAlarm', {})).msg).toMatch(/^alarm_id: is required/);
    expect((await api.call('/AckAlarm', { alarm_id: 999_999 })).code).toBe(E.ALARM_NOT_FOUND.code);
    expect((await api.call('/AckAlarm', { alarm_ids: '1,x' })).code).toBe(E.INVALID_ID_LIST.code);
    expect((await api.call('/AckAlarm', { alarm_id: '1' })).code).toBe(E.INVALID_FIELD.code);
  });

  it('deleting the record keeps its alarm readable, pictures included; DeleteAlarm lets them go', async () => {
    const a = (await alarms({ type: 1 })).items.find((x: any) => x.capture_url !== '');
    const record = (await records(door)).items.find((r: any) => r.record_id === a.record_id);
    expect(record).toBeDefined();
    expect((await api.call('/DeleteTaskCaptureRecord', { record_id: a.record_id })).code).toBe(0);
    const kept = (await alarms({ type: 1 })).items.find((x: any) => x.alarm_id === a.alarm_id);
    expect(kept).toEqual(a);
    expect((await api.call('/DownloadPersonPicture', { pic_url: a.capture_url })).code).toBe(0); // the alarm still shows it
    expect((await api.call('/DeleteAlarm', { alarm_id: a.alarm_id })).code).toBe(0);
    expect((await api.call('/DeleteAlarm', { alarm_id: a.alarm_id })).code).toBe(E.ALARM_NOT_FOUND.code);
    expect((await api.call('/DownloadPersonPicture', { pic_url: a.capture_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
    expect((await api.call('/DownloadPersonPicture', { pic_url: a.pic_url })).code).toBe(0); // Alice's photo: she still uses it
    expect((await api.call('/DeleteAlarm', {})).msg).toBe('alarm_id: is required');
  });

  it('camera health: offline longer than CAMERA_OFFLINE_ALARM_MS raises one alarm (3), back raises 4; a short outage none', async () => {
    const cam = (await api.call('/AddCamera', { name: 'yard', rtsp: 'rtsp://127.0.0.1:1/yard' })).camera_id;
    const task = (await api.call('/AddTask', { name: 'yard watch', camera_list1: String(cam), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
    expect((await api.call('/StartTask', { task_id: task })).code).toBe(0);
    const report = (state: 'online' | 'offline') => api.host.resources.bus.emit(Subjects.cameraState(cam), { camera_id: cam, node: 'test', state, task_ids: [task], time: Date.now() });
    const health = async () => (await alarms({ camera_id: cam })).items.map((a: any) => a.type).reverse();
    const online = async () => ((await api.call('/QueryCameraList', { page_no: 1, page_size: 100 })).info.items as any[]).find((c) => c.camera_id === cam).online;
    report('online');
    await until(async () => (await online()) === 1, 'the camera online');
    // a short outage: back before the alarm time
    report('offline');
    await until(async () => (await online()) === 0, 'the camera offline');
    report('online');
    await until(async () => (await online()) === 1, 'the camera online again');
    await new Promise((r) => setTimeout(r, 1200)); // several desired-state periods past the alarm time
    expect(await health()).toEqual([]);
    // a long one: one alarm, however many periods pass, then "back"
    report('offline');
    await until(async () => (await health()).length === 1, 'the offline alarm', 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    report('offline');
    await new Promise((r) => setTimeout(r, 500));
    expect(await health()).toEqual([3]);
    report('online');
    await until(async () => (await health()).length === 2, 'the back alarm', 10_000);
    const [off, back] = (await alarms({ camera_id: cam })).items.reverse();
    expect(off).toMatchObject({ type: 3, task_id: task, task_name: 'yard watch', camera_name: 'yard', record_id: 0, person_id: 0 });
    expect(back).toMatchObject({ type: 4, task_id: task, camera_id: cam });
    // a camera of a stopped task raises nothing
    expect((await api.call('/StopTask', { task_id: task })).code).toBe(0);
    report('offline');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await health()).toEqual([3, 4]);
  }, 60_000);

  it('who may: the URIs declare viewer (list), operator (ack, delete)', async () => {
    const { functions } = await import('../../functions/index.ts');
    const role = (uri: string) => functions.find((f) => f.uri === uri)?.role;
    expect([role('/QueryAlarmList'), role('/AckAlarm'), role('/DeleteAlarm')]).toEqual(['viewer', 'operator', 'operator']);
  });
});
