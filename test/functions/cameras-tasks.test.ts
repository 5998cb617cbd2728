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
        interval: 3000, threshold: 0.8, state: 0, plan, remark: 'rm', create_time: expect.stringMatching(TIME),
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
      const count = async () => (await api.call('/QueryTaskList', { page_no: 1, page_size: 1 })).info.total_count;
      const before = await count();
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
      expect(await count()).toBe(before);
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
  });

  describe('security', () => {
    it('every URI of this area refuses a missing session', async () => {
      for (const uri of ['/AddCamera', '/UpdateCamera', '/DeleteCamera', '/QueryCameraList', '/AddTask', '/UpdateTask', '/DeleteTask', '/QueryTaskList']) {
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
      const { repos } = api.host.services;
      const cam = await addCam('race');
      const fields = { name: 'race', type: 0, intervalMs: 1000, threshold: 0.8, plan: '', remark: '' };
      await expect(repos.tasks.insert(fields, { cameraList1: [999_999], cameraList2: [], libList: [] })).rejects.toMatchObject({ kind: 'CAMERA_NOT_FOUND' });
      await expect(repos.tasks.insert(fields, { cameraList1: [cam], cameraList2: [], libList: [999_999] })).rejects.toMatchObject({ kind: 'LIBRARY_NOT_FOUND' });
      await expect(repos.persons.insert({ libId: 999_999, name: 'x', pinyin: 'x', sex: 0, cardNo: '', phone: '', category: 0, picUrl: pic, remark: '', embedding: new Array(512).fill(0.01) }))
        .rejects.toMatchObject({ kind: 'LIBRARY_NOT_FOUND' });
    });

    it('a picture deleted between AddPerson\'s check and its insert is "not found"; a used picture\'s row cannot go (db layer)', async () => {
      const { repos } = api.host.services;
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
