import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { makeFixtures } from './fixtures.ts';

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe.each(backends)('cameras and tasks (%s)', (backend) => {
  let api: Api;
  let pic: string;
  let bobPic: string;
  beforeAll(async () => {
    const [a, fx] = await Promise.all([startApi(backend), makeFixtures()]);
    api = a;
    await api.login();
    pic = (await api.upload(fx.alice)).pic_url;
    bobPic = (await api.upload(fx.bob)).pic_url;
  });
  afterAll(async () => { await api?.stop(); });

  const addCam = async (name: string, extra: Record<string, unknown> = {}) => {
    const r = await api.call('/AddCamera', { name, rtsp: `rtsp://user:pw@192.168.1.10:554/${encodeURIComponent(name)}`, ...extra });
    expect(r).toMatchObject({ code: 0, msg: '' });
    return r.camera_id as number;
  };
  const addLib = async (name: string) => (await api.call('/AddLibrary', { name, type: 0 })).lib_id as number;
  const task = (body: Record<string, unknown>) => api.call('/AddTask', { name: 't', interval: 3000, threshold: 0.8, ...body });
  const cameraById = async (id: number) => (await api.call('/QueryCameraList', { page_no: 1, page_size: 1000 })).info.items.find((i: any) => i.camera_id === id);
  const taskById = async (id: number) => (await api.call('/QueryTaskList', { page_no: 1, page_size: 1000 })).info.items.find((t: any) => t.task_id === id);
  const taskCount = async () => (await api.call('/QueryTaskList', { page_no: 1, page_size: 1 })).info.total_count as number;
  /** a plan whose only window is three days from today (TIME_ZONE of the test hosts): a started task idles, no stream is opened */
  const offPlan = () => {
    const today = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(new Date())) + 1;
    return JSON.stringify({ [String(((today + 2) % 7) + 1)]: ['00:00-00:01'] });
  };

  describe('cameras', () => {
    it('AddCamera → camera_id; QueryCameraList returns online and state, filters, paging', async () => {
      const a = await addCam('Gate_East', { type: 5, remark: 'r' });
      const b = await addCam('gate 50% west', { type: 5 });
      const r = await api.call('/QueryCameraList', { page_no: 1, page_size: 10, type: 5 });
      expect(r.info).toMatchObject({ page_no: 1, page_size: 10, total_count: 2 });
      expect(r.info.items.map((i: any) => i.camera_id)).toEqual([b, a]);
      expect(r.info.items[1]).toEqual({ camera_id: a, name: 'Gate_East', rtsp: 'rtsp://user:pw@192.168.1.10:554/Gate_East', type: 5, online: 0, state: 0, remark: 'r', create_time: expect.stringMatching(TIME) });
      const q = async (name: string) => (await api.call('/QueryCameraList', { page_no: 1, page_size: 10, name })).info.items.map((i: any) => i.camera_id);
      expect(await q('GATE_e')).toEqual([a]);
      expect(await q('50%')).toEqual([b]);
      expect(await q('e_E')).toEqual([a]);
    });

    it('UpdateCamera changes fields; DeleteCamera deletes', async () => {
      const id = await addCam('upd');
      expect(await api.call('/UpdateCamera', { camera_id: id, name: 'renamed', rtsp: 'rtsps://10.0.0.2/live', type: 2, remark: 'x' })).toEqual({ code: 0, msg: '' });
      const item = (await api.call('/QueryCameraList', { page_no: 1, page_size: 1, name: 'renamed' })).info.items[0];
      expect(item).toMatchObject({ camera_id: id, name: 'renamed', rtsp: 'rtsps://10.0.0.2/live', type: 2, remark: 'x' });
      expect((await api.call('/UpdateCamera', { camera_id: id })).code).toBe(0);
      expect((await api.call('/DeleteCamera', { camera_id: id })).code).toBe(0);
      expect((await api.call('/DeleteCamera', { camera_id: id })).code).toBe(E.CAMERA_NOT_FOUND.code);
      expect((await api.call('/UpdateCamera', { camera_id: id, name: 'x' })).code).toBe(E.CAMERA_NOT_FOUND.code);
    });

    it('INVALID_RTSP for anything but rtsp(s):// URLs; nothing stored', async () => {
      const before = (await api.call('/QueryCameraList', { page_no: 1, page_size: 1 })).info.total_count;
      for (const rtsp of ['http://x/y', 'not a url', 'file:///etc/passwd', 'rtsp://', 'rtsp://host/a b']) {
        const r = await api.call('/AddCamera', { name: 'bad', rtsp });
        expect(r.code).toBe(E.INVALID_RTSP.code);
        expect(r.msg).toMatch(/^rtsp:/);
      }
      expect(await api.call('/AddCamera', { name: 'bad' })).toEqual({ code: E.INVALID_FIELD.code, msg: 'rtsp: is required' });
      expect((await api.call('/QueryCameraList', { page_no: 1, page_size: 1 })).info.total_count).toBe(before);
      const id = await addCam('keeps');
      expect((await api.call('/UpdateCamera', { camera_id: id, rtsp: 'ftp://x' })).code).toBe(E.INVALID_RTSP.code);
    });

    it('DeleteCamera of a camera a task uses → CAMERA_IN_USE', async () => {
      const cam = await addCam('busy');
      const lib = await addLib('l');
      expect((await task({ camera_list1: String(cam), lib_list: String(lib) })).code).toBe(0);
      expect((await api.call('/DeleteCamera', { camera_id: cam })).code).toBe(E.CAMERA_IN_USE.code);
    });

    it('AddCamera without type stores type 0 (and remark ""), found by the type 0 filter', async () => {
      const id = await addCam('default type');
      const r = await api.call('/QueryCameraList', { page_no: 1, page_size: 10, name: 'default type', type: 0 });
      expect(r.info.items).toEqual([expect.objectContaining({ camera_id: id, type: 0, remark: '' })]);
    });

    it('UpdateCamera with only a name changes only the name; a refused update changes nothing', async () => {
      const rtsp = 'rtsp://op:secret@10.1.2.3:8554/partial';
      const id = await addCam('partial', { rtsp, type: 7, remark: 'keep me' });
      const before = await cameraById(id);
      expect(before).toMatchObject({ name: 'partial', rtsp, type: 7, remark: 'keep me' });
      expect(await api.call('/UpdateCamera', { camera_id: id, name: 'partial renamed' })).toEqual({ code: 0, msg: '' });
      const after = await cameraById(id);
      expect(after).toEqual({ ...before, name: 'partial renamed' });
      const refused: [Record<string, unknown>, keyof typeof E, string][] = [
        [{ name: 'nope', rtsp: 'ftp://x', type: 8, remark: 'nope' }, 'INVALID_RTSP', 'rtsp:'],
        [{ name: 'nope', type: -1 }, 'INVALID_FIELD', 'type:'],
        [{ name: 'nope', type: '8' }, 'INVALID_FIELD', 'type:'],
        [{ name: '  ', remark: 'nope' }, 'INVALID_FIELD', 'name:'],
        [{ rtsp: 'rtsp://', remark: 'nope' }, 'INVALID_RTSP', 'rtsp:'],
      ];
      for (const [body, kind, msg] of refused) {
        const r = await api.call('/UpdateCamera', { camera_id: id, ...body });
        expect({ body, code: r.code, msg: r.msg.startsWith(msg) }).toEqual({ body, code: E[kind].code, msg: true });
      }
      expect(await cameraById(id)).toEqual(after);
    });

    it('QueryCameraList: the type filter leaves other types out; page 2 and past the end keep total_count', async () => {
      const ids = [await addCam('tp-a', { type: 11 }), await addCam('tp-b', { type: 11 }), await addCam('tp-c', { type: 11 })];
      const other = await addCam('tp-d', { type: 12 });
      const q = (type: number, page_no: number, page_size: number) => api.call('/QueryCameraList', { page_no, page_size, type });
      const all = await q(11, 1, 10);
      expect(all.info.total_count).toBe(3);
      expect(all.info.items.map((i: any) => i.camera_id)).toEqual([...ids].reverse());
      expect((await q(12, 1, 10)).info).toMatchObject({ total_count: 1, items: [expect.objectContaining({ camera_id: other, type: 12 })] });
      expect((await q(11, 1, 2)).info).toMatchObject({ page_no: 1, page_size: 2, total_count: 3 });
      expect((await q(11, 1, 2)).info.items.map((i: any) => i.camera_id)).toEqual([ids[2], ids[1]]);
      expect((await q(11, 2, 2)).info).toEqual({ page_no: 2, page_size: 2, total_count: 3, items: [expect.objectContaining({ camera_id: ids[0] })] });
      expect((await q(11, 3, 2)).info).toEqual({ page_no: 3, page_size: 2, total_count: 3, items: [] });
      expect((await q(11, 1_000_000, 2)).info).toEqual({ page_no: 1_000_000, page_size: 2, total_count: 3, items: [] });
    });
  });

  describe('tasks', () => {
    it('AddTask → task_id; QueryTaskList returns every field (name and task_name, camera lists, lib_list)', async () => {
      const [c1, c2, c3] = [await addCam('in1'), await addCam('in2'), await addCam('out1')];
      const [l1, l2] = [await addLib('la'), await addLib('lb')];
      const plan = '{"1":["08:00-12:00","13:00-18:00"],"7":["00:00-24:00"]}';
      const r = await api.call('/AddTask', {
        name: 'Sign in 1', type: 3, camera_list1: `${c1}, ${c2}`, camera_list2: String(c3), lib_list: `${l2},${l1}`, interval: 3000, threshold: 0.8, plan, remark: 'rm',
      });
      expect(r).toMatchObject({ code: 0, msg: '', task_id: expect.any(Number) });
      const q = await api.call('/QueryTaskList', { page_no: 1, page_size: 10, name: 'sign IN' });
      expect(q.info).toMatchObject({ page_no: 1, page_size: 10, total_count: 1 });
      expect(q.info.items[0]).toEqual({
        task_id: r.task_id, name: 'Sign in 1', task_name: 'Sign in 1', type: 3,
        camera_list1: [{ camera_id: c1, name: 'in1', state: 0 }, { camera_id: c2, name: 'in2', state: 0 }],
        camera_list2: [{ camera_id: c3, name: 'out1', state: 0 }],
        lib_list: [{ lib_id: l2, name: 'lb' }, { lib_id: l1, name: 'la' }],
        interval: 3000, threshold: 0.8, state: 0, plan, remark: 'rm', alarm_stranger: 0, late_grace: 0, early_grace: 0, create_time: expect.stringMatching(TIME),
      });
    });

    it('QueryTaskList filters by type and state; stable newest-first paging', async () => {
      const cam = await addCam('pg');
      const lib = await addLib('pg');
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await task({ name: `page-${i}`, type: 1, camera_list1: String(cam), lib_list: String(lib) })).task_id);
      await api.host.services.tasks.setState(ids[2], 1); // what /StartTask will do
      const running = await api.call('/QueryTaskList', { page_no: 1, page_size: 10, name: 'page-', state: 1 });
      expect(running.info.items.map((t: any) => t.task_id)).toEqual([ids[2]]);
      expect(running.info.items[0].state).toBe(1);
      const seen: number[] = [];
      for (let p = 1; p <= 3; p++) {
        const r = await api.call('/QueryTaskList', { page_no: p, page_size: 2, name: 'page-', type: 1 });
        expect(r.info.total_count).toBe(5);
        seen.push(...r.info.items.map((t: any) => t.task_id));
      }
      expect(seen).toEqual([...ids].reverse());
      expect((await api.call('/QueryTaskList', { page_no: 1, page_size: 10, type: 2 })).msg).toMatch(/^type:/);
      expect((await api.call('/QueryTaskList', { page_no: 1, page_size: 10, state: 2 })).msg).toMatch(/^state:/);
      // a running task can be updated but not deleted
      expect((await api.call('/UpdateTask', { task_id: ids[2], threshold: 0.9 })).code).toBe(0);
      expect((await api.call('/DeleteTask', { task_id: ids[2] })).code).toBe(E.TASK_RUNNING.code);
    });

    it('AddTask errors: id lists, unknown ids, plan, type, threshold, interval; nothing stored', async () => {
      const cam = await addCam('e');
      const lib = await addLib('e');
      const before = await taskCount();
      const cases: [Record<string, unknown>, keyof typeof E, string][] = [
        [{ camera_list1: '1,a', lib_list: String(lib) }, 'INVALID_ID_LIST', 'camera_list1:'],
        [{ camera_list1: '', lib_list: String(lib) }, 'INVALID_ID_LIST', 'camera_list1:'],
        [{ camera_list1: `${cam},,`, lib_list: String(lib) }, 'INVALID_ID_LIST', 'camera_list1:'],
        [{ camera_list1: String(cam), lib_list: '-1' }, 'INVALID_ID_LIST', 'lib_list:'],
        [{ camera_list1: String(cam), lib_list: '99999999999' }, 'INVALID_ID_LIST', 'lib_list:'],
        [{ camera_list1: String(cam), camera_list2: String(cam), lib_list: String(lib) }, 'INVALID_ID_LIST', 'camera_list2:'],
        [{ camera_list1: '999999', lib_list: String(lib) }, 'CAMERA_NOT_FOUND', 'camera_list1:'],
        [{ camera_list1: String(cam), camera_list2: '999999', lib_list: String(lib) }, 'CAMERA_NOT_FOUND', 'camera_list2:'],
        [{ camera_list1: String(cam), lib_list: `${lib},999999` }, 'LIBRARY_NOT_FOUND', 'lib_list:'],
        [{ camera_list1: String(cam), lib_list: String(lib), plan: '{"8":["08:00-09:00"]}' }, 'INVALID_PLAN', 'plan:'],
        [{ camera_list1: String(cam), lib_list: String(lib), plan: '{"1":["09:00-08:00"]}' }, 'INVALID_PLAN', 'plan:'],
        [{ camera_list1: String(cam), lib_list: String(lib), plan: 'always' }, 'INVALID_PLAN', 'plan:'],
        [{ camera_list1: String(cam), lib_list: String(lib), type: 2 }, 'INVALID_FIELD', 'type:'],
        [{ camera_list1: String(cam), lib_list: String(lib), threshold: 1.5 }, 'INVALID_FIELD', 'threshold:'],
        [{ camera_list1: String(cam), lib_list: String(lib), interval: -1 }, 'INVALID_FIELD', 'interval:'],
        [{ camera_list1: [cam], lib_list: String(lib) }, 'INVALID_FIELD', 'camera_list1:'],
        [{ lib_list: String(lib) }, 'INVALID_FIELD', 'camera_list1: is required'],
      ];
      for (const [body, kind, msg] of cases) {
        const r = await task(body);
        expect({ body, code: r.code }).toEqual({ body, code: E[kind].code });
        expect(r.msg.startsWith(msg)).toBe(true);
      }
      expect(await taskCount()).toBe(before);
    });

    it('UpdateTask: fields and lists; "" keeps camera_list1/lib_list, clears camera_list2; errors change nothing', async () => {
      const [a, b, c] = [await addCam('ua'), await addCam('ub'), await addCam('uc')];
      const [l1, l2] = [await addLib('u1'), await addLib('u2')];
      const { task_id } = await task({ name: 'upd', camera_list1: String(a), camera_list2: String(b), lib_list: String(l1) });
      const get = async () => (await api.call('/QueryTaskList', { page_no: 1, page_size: 1, name: 'upd' })).info.items[0];
      expect(await api.call('/UpdateTask', {
        task_id, name: 'upd2', type: 1, camera_list1: `${c},${a}`, camera_list2: '', lib_list: '', interval: 500, threshold: 0.75, plan: '', remark: 'x',
      })).toEqual({ code: 0, msg: '' });
      expect(await get()).toMatchObject({
        name: 'upd2', task_name: 'upd2', type: 1, camera_list1: [{ camera_id: c }, { camera_id: a }], camera_list2: [], lib_list: [{ lib_id: l1 }],
        interval: 500, threshold: 0.75, plan: '', remark: 'x',
      });
      expect((await api.call('/UpdateTask', { task_id, lib_list: `${l2}` })).code).toBe(0);
      expect((await api.call('/UpdateTask', { task_id, camera_list2: String(a) })).code).toBe(E.INVALID_ID_LIST.code);
      expect((await api.call('/UpdateTask', { task_id, camera_list1: '424242' })).code).toBe(E.CAMERA_NOT_FOUND.code);
      expect((await api.call('/UpdateTask', { task_id, plan: '{"1":[]}', name: 'no' })).code).toBe(E.INVALID_PLAN.code);
      expect((await api.call('/UpdateTask', { task_id: 999999, name: 'x' })).code).toBe(E.TASK_NOT_FOUND.code);
      expect(await get()).toMatchObject({ name: 'upd2', camera_list1: [{ camera_id: c }, { camera_id: a }], lib_list: [{ lib_id: l2 }] });
      // the libraries/cameras it no longer uses can go
      expect((await api.call('/DeleteLibrary', { lib_id: l1 })).code).toBe(0);
      expect((await api.call('/DeleteCamera', { camera_id: b })).code).toBe(0);
    });

    it('DeleteTask frees its cameras and libraries', async () => {
      const cam = await addCam('dt');
      const lib = await addLib('dt');
      const { task_id } = await task({ camera_list1: String(cam), lib_list: String(lib) });
      expect(await api.call('/DeleteTask', { task_id })).toEqual({ code: 0, msg: '' });
      expect((await api.call('/DeleteTask', { task_id })).code).toBe(E.TASK_NOT_FOUND.code);
      expect((await api.call('/DeleteCamera', { camera_id: cam })).code).toBe(0);
      expect((await api.call('/DeleteLibrary', { lib_id: lib })).code).toBe(0);
    });

    it('AddTask: each required field left out → INVALID_FIELD naming it; lib_list "" → INVALID_ID_LIST; nothing stored', async () => {
      const cam = await addCam('req');
      const lib = await addLib('req');
      const full = { name: 'req', camera_list1: String(cam), lib_list: String(lib), interval: 3000, threshold: 0.8 };
      const before = await taskCount();
      for (const field of ['name', 'camera_list1', 'lib_list', 'interval', 'threshold'] as const) {
        const { [field]: _left, ...body } = full;
        expect({ field, r: await api.call('/AddTask', body) }).toEqual({ field, r: { code: E.INVALID_FIELD.code, msg: `${field}: is required` } });
      }
      for (const lib_list of ['', ' ', ',']) {
        const r = await api.call('/AddTask', { ...full, lib_list });
        expect({ lib_list, code: r.code, msg: r.msg.startsWith('lib_list:') }).toEqual({ lib_list, code: E.INVALID_ID_LIST.code, msg: true });
      }
      expect(await taskCount()).toBe(before);
    });

    it('AddTask without type stores type 0, found by the type 0 filter', async () => {
      const cam = await addCam('deftype');
      const lib = await addLib('deftype');
      const { task_id } = await task({ name: 'default type task', camera_list1: String(cam), lib_list: String(lib) });
      const r = await api.call('/QueryTaskList', { page_no: 1, page_size: 10, name: 'default type task', type: 0 });
      expect(r.info.items).toEqual([expect.objectContaining({ task_id, type: 0, camera_list2: [], plan: '', remark: '', state: 0 })]);
    });

    it('UpdateTask: camera_list1 "" keeps the list; out-of-range type, interval, threshold → INVALID_FIELD naming it, task unchanged', async () => {
      const [a, b] = [await addCam('keep-a'), await addCam('keep-b')];
      const lib = await addLib('keep');
      const { task_id } = await task({ name: 'keep', type: 1, camera_list1: `${b},${a}`, lib_list: String(lib), interval: 1000, threshold: 0.6 });
      expect(await api.call('/UpdateTask', { task_id, camera_list1: '', remark: 'list kept' })).toEqual({ code: 0, msg: '' });
      const kept = await taskById(task_id);
      expect(kept).toMatchObject({ remark: 'list kept', camera_list1: [{ camera_id: b }, { camera_id: a }], lib_list: [{ lib_id: lib }] });
      expect((await api.call('/UpdateTask', { task_id, camera_list1: '  ' })).code).toBe(0);
      expect(await taskById(task_id)).toEqual(kept);
      const refused: [Record<string, unknown>, string][] = [
        [{ type: 2 }, 'type:'], [{ type: -1 }, 'type:'], [{ type: 0.5 }, 'type:'],
        [{ interval: 39 }, 'interval:'], [{ interval: 3_600_001 }, 'interval:'], [{ interval: 100.5 }, 'interval:'], [{ interval: '100' }, 'interval:'],
        [{ threshold: -0.01 }, 'threshold:'], [{ threshold: 1.01 }, 'threshold:'], [{ threshold: '0.5' }, 'threshold:'],
      ];
      for (const [body, msg] of refused) {
        const r = await api.call('/UpdateTask', { task_id, name: 'changed', remark: 'changed', ...body });
        expect({ body, code: r.code, msg: r.msg.startsWith(msg) }).toEqual({ body, code: E.INVALID_FIELD.code, msg: true });
      }
      expect(await taskById(task_id)).toEqual(kept);
    });

    it('QueryTaskList: the type filter leaves other types out; state 0 leaves a started task out', async () => {
      const cam = await addCam('flt', { rtsp: 'rtsp://127.0.0.1:9/flt' });
      const lib = await addLib('flt');
      const add = async (name: string, type: number) => (await task({ name, type, camera_list1: String(cam), lib_list: String(lib), plan: offPlan() })).task_id as number;
      const [normal, signIn] = [await add('flt-normal', 0), await add('flt-signin', 3)];
      const ids = async (f: Record<string, unknown>) => (await api.call('/QueryTaskList', { page_no: 1, page_size: 10, name: 'flt-', ...f })).info.items.map((t: any) => t.task_id);
      expect(await ids({})).toEqual([signIn, normal]);
      expect(await ids({ type: 3 })).toEqual([signIn]);
      expect(await ids({ type: 0 })).toEqual([normal]);
      expect(await ids({ type: 1 })).toEqual([]);
      expect(await api.call('/StartTask', { task_id: signIn })).toEqual({ code: 0, msg: '' });
      expect(await ids({ state: 0 })).toEqual([normal]);
      expect(await ids({ state: 1 })).toEqual([signIn]);
      expect(await ids({ state: 1, type: 0 })).toEqual([]);
      expect(await api.call('/StopTask', { task_id: signIn })).toEqual({ code: 0, msg: '' });
      expect(await ids({ state: 0 })).toEqual([signIn, normal]);
    });

    it('StopTask: the task reads back state 0; stopping a stopped task answers 0; unknown id → TASK_NOT_FOUND', async () => {
      const cam = await addCam('stop', { rtsp: 'rtsp://127.0.0.1:9/stop' });
      const lib = await addLib('stop');
      const { task_id } = await task({ name: 'stop me', camera_list1: String(cam), lib_list: String(lib), plan: offPlan() });
      expect(await api.call('/StopTask', { task_id })).toEqual({ code: 0, msg: '' }); // never started
      expect(await taskById(task_id)).toMatchObject({ state: 0 });
      expect(await api.call('/StartTask', { task_id })).toEqual({ code: 0, msg: '' });
      expect(await api.call('/StartTask', { task_id })).toEqual({ code: 0, msg: '' });
      expect(await taskById(task_id)).toMatchObject({ state: 1 });
      expect(await api.call('/StopTask', { task_id })).toEqual({ code: 0, msg: '' });
      expect(await taskById(task_id)).toMatchObject({ state: 0, camera_list1: [{ camera_id: cam, state: 0 }] });
      expect(await api.call('/StopTask', { task_id })).toEqual({ code: 0, msg: '' });
      expect(await taskById(task_id)).toMatchObject({ state: 0 });
      expect((await api.call('/StopTask', { task_id: 999_999 })).code).toBe(E.TASK_NOT_FOUND.code);
      expect((await api.call('/DeleteTask', { task_id })).code).toBe(0); // stopped: it can be deleted
      expect((await api.call('/StopTask', { task_id })).code).toBe(E.TASK_NOT_FOUND.code);
    });
  });

  describe('security', () => {
    it('every URI of this area refuses a missing session', async () => {
      for (const uri of ['/AddCamera', '/UpdateCamera', '/DeleteCamera', '/QueryCameraList', '/AddTask', '/UpdateTask', '/DeleteTask', '/QueryTaskList', '/StartTask', '/StopTask']) {
        expect({ uri, code: (await api.call(uri, {}, { session: null })).code }).toEqual({ uri, code: E.SESSION_MISSING.code });
      }
    });

    it('parallel calls (transactions included) all complete', async () => {
      const lib = await addLib('par');
      const cams = await Promise.all(Array.from({ length: 10 }, (_, i) => addCam(`par-${i}`)));
      const tasks = await Promise.all(cams.map((c) => task({ name: 'par', camera_list1: String(c), lib_list: String(lib) })));
      expect(tasks.every((t) => t.code === 0)).toBe(true);
      const deletes = await Promise.all([...tasks.map((t) => api.call('/DeleteTask', { task_id: t.task_id })), api.call('/DeleteLibrary', { lib_id: lib })]);
      expect(deletes.slice(0, -1).every((d) => d.code === 0)).toBe(true);
      expect([0, E.LIBRARY_IN_USE.code]).toContain(deletes.at(-1)!.code);
    });

    it('a camera or library deleted between check and insert is "not found", not INTERNAL (db layer)', async () => {
      const { repos } = api.host.resources;
      const cam = await addCam('race');
      const fields = { name: 'race', type: 0, intervalMs: 1000, threshold: 0.8, plan: '', remark: '' };
      await expect(repos.tasks.insert(fields, { cameraList1: [999_999], cameraList2: [], libList: [] })).rejects.toMatchObject({ kind: 'CAMERA_NOT_FOUND' });
      await expect(repos.tasks.insert(fields, { cameraList1: [cam], cameraList2: [], libList: [999_999] })).rejects.toMatchObject({ kind: 'LIBRARY_NOT_FOUND' });
      await expect(repos.persons.insert({ libId: 999_999, name: 'x', pinyin: 'x', sex: 0, cardNo: '', phone: '', category: 0, picUrl: pic, remark: '', embedding: new Array(512).fill(0.01) }))
        .rejects.toMatchObject({ kind: 'LIBRARY_NOT_FOUND' });
    });

    it('a picture deleted between AddPerson\'s check and its insert is "not found"; a used picture\'s row cannot go (db layer)', async () => {
      const { repos } = api.host.resources;
      const libId = (await api.call('/AddLibrary', { name: 'picture race' })).lib_id as number;
      const person = { libId, name: 'x', pinyin: 'x', sex: 0, cardNo: '', phone: '', category: 0, remark: '', embedding: new Array(512).fill(0.01) };
      // what DeletePicture leaves behind when it wins the race: no row for the url AddPerson checked
      const gone = bobPic;
      expect(await repos.pictures.deleteUnlessUsed(gone)).toBe(true);
      await expect(repos.persons.insert({ ...person, picUrl: gone })).rejects.toMatchObject({ kind: 'PICTURE_NOT_FOUND' });
      const id = await repos.persons.insert({ ...person, picUrl: pic });
      await expect(repos.persons.update(libId, id, { picUrl: gone })).rejects.toMatchObject({ kind: 'PICTURE_NOT_FOUND' });
      // when AddPerson wins, the picture's row is held by the person: a direct delete is refused
      await expect(repos.pictures.delete(pic)).rejects.toThrow();
      expect(await repos.pictures.deleteUnlessUsed(pic)).toBe(false);
      expect(await repos.pictures.find(pic)).toBeDefined();
    });

    it('metacharacters in names are data', async () => {
      const id = await addCam("cam'; DELETE FROM cameras; --");
      const r = await api.call('/QueryCameraList', { page_no: 1, page_size: 10, name: "'; DELETE" });
      expect(r.info.items.map((i: any) => i.camera_id)).toEqual([id]);
      expect(pic).toBeTruthy();
    });
  });
});
