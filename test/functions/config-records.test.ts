import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { startS3Server, type S3Server } from '../../infra/services/index.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';

describe.each(backends)('system config, records, restarts (%s)', (backend) => {
  let api: Api;
  let fx: Fixtures;
  let s3: S3Server;
  beforeAll(async () => {
    [api, fx, s3] = await Promise.all([startApi(backend), makeFixtures(), startS3Server({ bucket: 'switched' })]);
    await api.login();
  });
  afterAll(async () => { await api?.stop(); await s3?.stop(); });

  const storageConfig = (over: Record<string, unknown> = {}) => {
    const u = new URL(s3.endpoint);
    return { ip: u.hostname, port: Number(u.port), bucket: s3.bucket, access_key: s3.accessKeyId, secret_key: s3.secretAccessKey, tls: false, ...over };
  };

  describe('system config', () => {
    it('GetSystemConfig StorageServer before any update shows the store in force, secrets masked', async () => {
      const r = await api.call('/GetSystemConfig', { name: 'StorageServer' });
      expect(r.code).toBe(0);
      expect(r.info.name).toBe('StorageServer');
      const cfg = JSON.parse(r.info.config);
      if (backend === 'embedded') expect(cfg).toEqual({ type: 'local' });
      else expect(cfg).toMatchObject({ ip: '127.0.0.1', bucket: expect.any(String), secret_key: '******' });
    });

    it('a StorageServer that does not answer is refused and the old store stays', async () => {
      const { pic_url } = await api.upload(fx.bob);
      const r = await api.call('/UpdateSystemConfig', { name: 'StorageServer', config: JSON.stringify(storageConfig({ port: 1 })) });
      expect(r.code).toBe(E.STORAGE_CONFIG_REJECTED.code);
      expect((await api.call('/DownloadPersonPicture', { pic_url })).code).toBe(0);
      expect((await api.call('/GetSystemConfig', { name: 'StorageServer' })).info.config).not.toContain('"port":1,');
    });

    it('malformed or incomplete config → INVALID_CONFIG', async () => {
      for (const config of ['{', '[1]', '"x"', JSON.stringify(storageConfig({ port: 'x' })), JSON.stringify({ ip: '1.2.3.4' }), JSON.stringify(storageConfig({ ip: 'a b' })), JSON.stringify(storageConfig({ tls: 'yes' }))]) {
        const r = await api.call('/UpdateSystemConfig', { name: 'StorageServer', config });
        expect({ config, code: r.code }).toEqual({ config, code: E.INVALID_CONFIG.code });
      }
      expect((await api.call('/UpdateSystemConfig', { name: 'Other', config: 'nope' })).code).toBe(E.INVALID_CONFIG.code);
      expect((await api.call('/UpdateSystemConfig', { name: 'StorageServer', config: { ip: 'x' } })).msg).toMatch(/^config:/);
      expect((await api.call('/UpdateSystemConfig', { name: '../x', config: '{}' })).msg).toMatch(/^name:/);
    });

    it('a StorageServer that answers is switched to at run time, masked on read, and kept across a restart', async () => {
      const before = await api.upload(fx.bob);
      const r = await api.call('/UpdateSystemConfig', { name: 'StorageServer', config: JSON.stringify(storageConfig()), remark: 'new store' });
      expect(r).toEqual({ code: 0, msg: '' });
      const got = await api.call('/GetSystemConfig', { name: 'StorageServer' });
      const cfg = JSON.parse(got.info.config);
      expect(cfg).toMatchObject({ ip: '127.0.0.1', bucket: 'switched', access_key: '******', secret_key: '******' });
      // new pictures go to the new store
      const after = await api.upload(fx.carol);
      expect((await api.call('/DownloadPersonPicture', { pic_url: after.pic_url })).code).toBe(0);
      expect((await api.call('/DownloadPersonPicture', { pic_url: before.pic_url })).code).toBe(E.PICTURE_NOT_FOUND.code);
      // the masked value sent back keeps the stored secret
      expect((await api.call('/UpdateSystemConfig', { name: 'StorageServer', config: got.info.config })).code).toBe(0);
      await api.restart();
      await api.login();
      expect((await api.call('/DownloadPersonPicture', { pic_url: after.pic_url })).code).toBe(0);
    });

    it('other names are stored as given (validated JSON), secrets masked; unknown names → CONFIG_NOT_FOUND', async () => {
      const config = JSON.stringify({ url: 'https://hooks.example/x', password: 'p4ss', nested: { api_token: 't0k', n: 1 } });
      expect((await api.call('/UpdateSystemConfig', { name: 'Webhook', config })).code).toBe(0);
      const r = await api.call('/GetSystemConfig', { name: 'Webhook' });
      expect(r.info).toEqual({ name: 'Webhook', config: JSON.stringify({ url: 'https://hooks.example/x', password: '******', nested: { api_token: '******', n: 1 } }) });
      const plain = '{ "b": 1,\n  "a": [true, null] }';
      expect((await api.call('/UpdateSystemConfig', { name: 'Display.v2', config: plain, remark: 'as given' })).code).toBe(0);
      expect((await api.call('/GetSystemConfig', { name: 'Display.v2' })).info).toEqual({ name: 'Display.v2', config: JSON.stringify({ b: 1, a: [true, null] }) });
      expect((await api.host.resources.repos.systemConfig.get('Display.v2'))?.config).toBe(plain);
      expect((await api.call('/GetSystemConfig', { name: 'Nothing' })).code).toBe(E.CONFIG_NOT_FOUND.code);
      expect(await api.call('/GetSystemConfig', {})).toEqual({ code: E.INVALID_FIELD.code, msg: 'name: is required' });
    });

    it('remark is stored with the config (GetSystemConfig returns only name and config), kept when absent, replaced when given', async () => {
      // the document's GetSystemConfig answer is info {name, config}: the remark is checked where it is stored
      const remarkOf = async (name: string) => (await api.host.resources.repos.systemConfig.get(name))?.remark;
      expect((await api.call('/UpdateSystemConfig', { name: 'Remarked', config: '{"a":1}', remark: '备注 one' })).code).toBe(0);
      expect(await remarkOf('Remarked')).toBe('备注 one');
      expect((await api.call('/GetSystemConfig', { name: 'Remarked' })).info).toEqual({ name: 'Remarked', config: '{"a":1}' });
      expect((await api.call('/UpdateSystemConfig', { name: 'Remarked', config: '{"a":2}' })).code).toBe(0);
      expect(await remarkOf('Remarked')).toBe('备注 one');
      expect((await api.call('/UpdateSystemConfig', { name: 'Remarked', config: '{"a":3}', remark: 'two' })).code).toBe(0);
      expect(await remarkOf('Remarked')).toBe('two');
      // bad input changes nothing, and names the field
      for (const [body, field, code] of [
        [{ config: '{"a":4}', remark: 7 }, 'remark', E.INVALID_FIELD.code], [{ config: '{"a":4}', remark: 'x'.repeat(1025) }, 'remark', E.INVALID_FIELD.code],
        [{ config: '[4]', remark: 'three' }, 'config', E.INVALID_CONFIG.code],
      ] as const) {
        const r = await api.call('/UpdateSystemConfig', { name: 'Remarked', ...body });
        expect({ code: r.code, field: r.msg.split(':')[0] }).toEqual({ code, field });
      }
      expect(await api.host.resources.repos.systemConfig.get('Remarked')).toMatchObject({ config: '{"a":3}', remark: 'two' });
      expect((await api.call('/UpdateSystemConfig', { name: 'Remarked', config: '{"a":5}', remark: '' })).code).toBe(0);
      expect(await remarkOf('Remarked')).toBe('');
      // a new name without remark stores ''
      expect((await api.call('/UpdateSystemConfig', { name: 'Unremarked', config: '{}' })).code).toBe(0);
      expect(await remarkOf('Unremarked')).toBe('');
    });

    it('needs a session', async () => {
      expect((await api.call('/GetSystemConfig', { name: 'StorageServer' }, { session: null })).code).toBe(E.SESSION_MISSING.code);
      expect((await api.call('/UpdateSystemConfig', { name: 'x', config: '{}' }, { session: 'bad' })).code).toBe(E.SESSION_INVALID.code);
    });
  });

  describe('capture records', () => {
    const insertRecord = async (r: Partial<Parameters<Api['host']['resources']['repos']['records']['insert']>[0]>, withCapture = true) => {
      const services = api.host.resources;
      let captureUrl = '';
      if (withCapture) {
        captureUrl = `/captures/2026/11/23/${randomUUID()}.jpg`;
        await services.store.put(captureUrl.slice(1), fx.bob, 'image/jpeg');
        await services.repos.pictures.insert({ url: captureUrl, kind: 'capture', contentType: 'image/jpeg', bytes: fx.bob.length, width: 10, height: 10 });
      }
      const id = await services.repos.records.insert({
        taskId: 1, taskName: 'T1', cameraId: 1, cameraName: 'Cam1', classify: 0, captureTime: new Date('2026-11-23T02:00:00Z'), captureUrl, ...r,
      });
      return { id, captureUrl };
    };
    const query = async (f: Record<string, unknown>) => {
      const r = await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 100, task_id: 77, ...f });
      expect(r.code).toBe(0);
      return r.info.items.map((i: any) => i.record_id);
    };

    it('QueryTaskCaptureRecord returns every field in the configured zone; filters work', async () => {
      const matched = await insertRecord({
        taskId: 77, taskName: 'Gate', cameraId: 5, cameraName: 'East', libId: 3, libName: 'Staff', personId: 9, personName: '张三', sex: 1,
        category: 1, cardNo: 'ID-9', classify: 1, similarity: 0.87, picUrl: '/pictures/2026/11/23/00000000-0000-4000-8000-000000000009.jpg',
        captureTime: new Date('2026-11-23T01:02:03Z'),
      });
      const stranger = await insertRecord({ taskId: 77, cameraId: 6, classify: 0, similarity: 0.41, captureTime: new Date('2026-11-23T05:00:00Z') });
      const r = await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, task_id: 77 });
      expect(r.info).toMatchObject({ page_no: 1, page_size: 10, total_count: 2 });
      expect(r.info.items.map((i: any) => i.record_id)).toEqual([stranger.id, matched.id]);
      expect(r.info.items[1]).toEqual({
        record_id: matched.id, task_id: 77, task_name: 'Gate', camera_id: 5, camera_name: 'East', lib_id: 3, lib_name: 'Staff', person_id: 9,
        person_name: '张三', sex: 1, category: 1, card_no: 'ID-9', classify: 1, similarity: 0.87,
        pic_url: '/pictures/2026/11/23/00000000-0000-4000-8000-000000000009.jpg', capture_url: matched.captureUrl,
        capture_time: '2026-11-23 09:02:03', create_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      });
      expect(r.info.items[0]).toMatchObject({ person_id: 0, person_name: '', lib_id: 0, lib_name: '', classify: 0, similarity: 0.41 });
      expect(await query({ camera_id: 5 })).toEqual([matched.id]);
      expect(await query({ lib_id: 3 })).toEqual([matched.id]);
      expect(await query({ person_name: '三' })).toEqual([matched.id]);
      expect(await query({ card_no: 'ID-9' })).toEqual([matched.id]);
      expect(await query({ card_no: 'ID' })).toEqual([]);
      expect(await query({ card_no: '', person_name: '' })).toEqual([stranger.id, matched.id]);
      expect(await query({ classify: 0 })).toEqual([stranger.id]);
      expect(await query({ similarity: 0.87 })).toEqual([matched.id]);
      expect(await query({ similarity: 0.4 })).toEqual([stranger.id, matched.id]);
      expect(await query({ start_time: '2026-11-23 09:02:03', end_time: '2026-11-23 12:00:00' })).toEqual([matched.id]);
      expect(await query({ start_time: '2026-11-23 09:02:04' })).toEqual([stranger.id]);
      expect(await query({ end_time: '2026-11-23 09:02:02' })).toEqual([]);
      const down = await api.call('/DownloadPersonPicture', { pic_url: matched.captureUrl });
      expect(Buffer.from(down.data, 'base64').equals(fx.bob)).toBe(true);
    });

    it('bad filters → INVALID_FIELD naming the field', async () => {
      for (const [f, field] of [[{ start_time: '2026-13-01 00:00:00' }, 'start_time'], [{ end_time: 'yesterday' }, 'end_time'], [{ similarity: 2 }, 'similarity'],
        [{ classify: 3 }, 'classify'], [{ task_id: 'x' }, 'task_id'], [{ start_time: '2026-11-23 10:00:00', end_time: '2026-11-23 09:00:00' }, 'end_time']] as const) {
        const r = await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, ...f });
        expect(r.code).toBe(E.INVALID_FIELD.code);
        expect(r.msg.startsWith(`${field}:`)).toBe(true);
      }
    });

    it('paging: later pages hold the next records newest capture first (ties by id), total_count unchanged, past the end empty', async () => {
      const at = (hh: number) => new Date(`2026-11-23T${String(hh).padStart(2, '0')}:00:00Z`);
      // inserted out of time order, so id order is not capture order; two share a capture time
      const ids: Record<string, number> = {};
      for (const [key, hh] of [['h3', 3], ['h7', 7], ['h1', 1], ['h5a', 5], ['h9', 9], ['h5b', 5]] as const) {
        ids[key] = (await insertRecord({ taskId: 79, captureTime: at(hh) }, false)).id;
      }
      const expected = [ids.h9, ids.h7, ids.h5b, ids.h5a, ids.h3, ids.h1];
      const pageOf = (page_no: number) => api.call('/QueryTaskCaptureRecord', { page_no, page_size: 4, task_id: 79 });
      const pages = await Promise.all([1, 2, 3].map(pageOf));
      expect(pages.map((p) => p.code)).toEqual([0, 0, 0]);
      expect(pages.map((p) => p.info.items.map((i: any) => i.record_id))).toEqual([expected.slice(0, 4), expected.slice(4), []]);
      expect(pages.map((p) => [p.info.page_no, p.info.page_size, p.info.total_count])).toEqual([[1, 4, 6], [2, 4, 6], [3, 4, 6]]);
      const two = await api.call('/QueryTaskCaptureRecord', { page_no: 2, page_size: 2, task_id: 79 });
      expect(two.info).toMatchObject({ page_no: 2, page_size: 2, total_count: 6 });
      expect(two.info.items.map((i: any) => i.record_id)).toEqual([ids.h5b, ids.h5a]);
      const far = await api.call('/QueryTaskCaptureRecord', { page_no: 1_000_000, page_size: 1000, task_id: 79 });
      expect(far.info).toEqual({ page_no: 1_000_000, page_size: 1000, total_count: 6, items: [] });
      // a filter with paging counts the filtered records only
      const late = await api.call('/QueryTaskCaptureRecord', { page_no: 2, page_size: 1, task_id: 79, start_time: '2026-11-23 13:00:00' });
      expect(late.info).toMatchObject({ total_count: 4, items: [{ record_id: ids.h7 }] });
      for (const [f, field] of [[{ page_no: 0 }, 'page_no'], [{ page_size: 1001 }, 'page_size'], [{ page_no: '2' }, 'page_no'], [{ page_size: undefined }, 'page_size']] as const) {
        const r = await api.call('/QueryTaskCaptureRecord', { ...{ page_no: 1, page_size: 2, task_id: 79 }, ...f });
        expect({ code: r.code, field: r.msg.split(':')[0] }).toEqual({ code: E.INVALID_FIELD.code, field });
      }
    });

    it('a stranger (classify 0) has every person field empty or 0 and the best similarity', async () => {
      const stranger = await insertRecord({ taskId: 80, taskName: 'Door', cameraId: 4, cameraName: 'West', classify: 0, similarity: 0.5, captureTime: new Date('2026-11-23T03:04:05Z') });
      const r = await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, task_id: 80 });
      expect(r.info.items).toEqual([{
        record_id: stranger.id, task_id: 80, task_name: 'Door', camera_id: 4, camera_name: 'West', lib_id: 0, lib_name: '', person_id: 0,
        person_name: '', sex: 0, category: 0, card_no: '', classify: 0, similarity: 0.5, pic_url: '', capture_url: stranger.captureUrl,
        capture_time: '2026-11-23 11:04:05', create_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      }]);
    });

    it('records keep the names copied when they were written: renames and deletions do not change them', async () => {
      const lib = (await api.call('/AddLibrary', { name: 'Old library' })).lib_id;
      const other = (await api.call('/AddLibrary', { name: 'Other library' })).lib_id;
      const { pic_url } = await api.upload(fx.alice);
      const person = (await api.call('/AddPerson', { lib_id: lib, name: '旧名', pic_url, card_no: 'OLD-1', sex: 2, category: 1 })).person_id;
      const camera = (await api.call('/AddCamera', { name: 'Old camera', rtsp: 'rtsp://10.0.0.9/old' })).camera_id;
      const task = (await api.call('/AddTask', { name: 'Old task', camera_list1: String(camera), lib_list: String(lib), interval: 1000, threshold: 0.8 })).task_id;
      expect([lib, other, person, camera, task].every((x) => typeof x === 'number' && x > 0)).toBe(true);
      const rec = await insertRecord({
        taskId: task, taskName: 'Old task', cameraId: camera, cameraName: 'Old camera', libId: lib, libName: 'Old library', personId: person,
        personName: '旧名', sex: 2, category: 1, cardNo: 'OLD-1', classify: 1, similarity: 0.9, picUrl: pic_url,
      });
      const copied = { task_id: task, task_name: 'Old task', camera_id: camera, camera_name: 'Old camera', lib_id: lib, lib_name: 'Old library',
        person_id: person, person_name: '旧名', sex: 2, category: 1, card_no: 'OLD-1', pic_url };
      const shown = async () => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, task_id: task })).info.items;
      expect(await shown()).toEqual([expect.objectContaining({ record_id: rec.id, ...copied })]);

      expect((await api.call('/UpdatePerson', { lib_id: lib, person_id: person, name: '新名', card_no: 'NEW-1', sex: 1, category: 0 })).code).toBe(0);
      expect((await api.call('/UpdateCamera', { camera_id: camera, name: 'New camera' })).code).toBe(0);
      expect((await api.call('/UpdateTask', { task_id: task, name: 'New task', lib_list: String(other) })).code).toBe(0);
      expect(await shown()).toEqual([expect.objectContaining({ record_id: rec.id, ...copied })]);
      // the filters match the copies, not the current names
      expect(await query({ task_id: task, person_name: '旧' })).toEqual([rec.id]);
      expect(await query({ task_id: task, person_name: '新' })).toEqual([]);
      expect(await query({ task_id: task, card_no: 'OLD-1' })).toEqual([rec.id]);
      // there is no URI to rename a library: deleting it (and its person) leaves the record as it was
      expect((await api.call('/DeleteLibrary', { lib_id: lib })).code).toBe(0);
      expect(await shown()).toEqual([expect.objectContaining({ record_id: rec.id, ...copied })]);
      expect((await api.call('/DownloadPersonPicture', { pic_url })).code).toBe(0);
    });

    it('DeleteTaskCaptureRecord deletes the record and its capture image', async () => {
      const rec = await insertRecord({ taskId: 78 });
      expect(await api.call('/DeleteTaskCaptureRecord', { record_id: rec.id })).toEqual({ code: 0, msg: '' });
      expect((await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, task_id: 78 })).info.total_count).toBe(0);
      expect((await api.call('/DownloadPersonPicture', { pic_url: rec.captureUrl })).code).toBe(E.PICTURE_NOT_FOUND.code);
      await expect(api.host.resources.store.get(rec.captureUrl.slice(1))).rejects.toMatchObject({ kind: 'PICTURE_NOT_FOUND' });
      expect((await api.call('/DeleteTaskCaptureRecord', { record_id: rec.id })).code).toBe(E.RECORD_NOT_FOUND.code);
      expect((await api.call('/DeleteTaskCaptureRecord', { record_id: 0 })).msg).toMatch(/^record_id:/);
      // a person enrolled from a capture image keeps it when the record goes
      const enrolled = await insertRecord({ taskId: 78 });
      const lib = (await api.call('/AddLibrary', { name: 'from-capture' })).lib_id;
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'Seen', pic_url: enrolled.captureUrl })).code).toBe(0);
      expect((await api.call('/DeleteTaskCaptureRecord', { record_id: enrolled.id })).code).toBe(0);
      expect((await api.call('/DownloadPersonPicture', { pic_url: enrolled.captureUrl })).code).toBe(0);
      const bare = await insertRecord({ taskId: 78 }, false);
      expect((await api.call('/DeleteTaskCaptureRecord', { record_id: bare.id })).code).toBe(0);
    });

    it('the matched photo copied into records outlives its person, and goes with the last record once nobody uses it', async () => {
      const lib = (await api.call('/AddLibrary', { name: 'photos' })).lib_id;
      const status = async (pic_url: string) => (await api.call('/DownloadPersonPicture', { pic_url })).code;
      const del = async (r: { id: number }) => (await api.call('/DeleteTaskCaptureRecord', { record_id: r.id })).code;
      const enrol = async (pic_url: string, name: string) => {
        const r = await api.call('/AddPerson', { lib_id: lib, name, pic_url });
        expect(r.code).toBe(0);
        return r.person_id as number;
      };
      const matched = (personId: number, picUrl: string) => insertRecord({ taskId: 81, libId: lib, libName: 'photos', personId, personName: 'p', classify: 1, similarity: 0.9, picUrl });
      const gone = E.PICTURE_NOT_FOUND.code;

      // a deleted person's photo stays while records show it; the last record takes it (row and object)
      const a = (await api.upload(fx.alice)).pic_url;
      const pa = await enrol(a, 'A');
      const [a1, a2] = [await matched(pa, a), await matched(pa, a)];
      expect((await api.call('/DeletePerson', { lib_id: lib, person_id: pa })).code).toBe(0);
      expect(await status(a)).toBe(0);
      // nor can DeletePicture take it from under those records
      expect(await api.call('/DeletePicture', { pic_url: a })).toEqual({ code: E.PICTURE_IN_USE.code, msg: `pic_url: ${a} is used by a person or shown by a capture record or an alarm` });
      expect(await status(a)).toBe(0);
      expect(await del(a1)).toBe(0);
      expect([await status(a), await status(a1.captureUrl)]).toEqual([0, gone]);
      expect(await del(a2)).toBe(0);
      expect(await status(a)).toBe(gone);
      await expect(api.host.resources.store.get(a.slice(1))).rejects.toMatchObject({ kind: 'PICTURE_NOT_FOUND' });

      // a photo its person still uses stays when the person's records go
      const b = (await api.upload(fx.bob)).pic_url;
      const pb = await enrol(b, 'B');
      expect(await del(await matched(pb, b))).toBe(0);
      expect(await status(b)).toBe(0);
      expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib })).info.items).toEqual([expect.objectContaining({ person_id: pb, pic_url: b })]);

      // a person enrolled from a capture image: the image outlives its own record, the person and
      // the records that show it as the matched photo, and goes when none of them is left
      const seen = await insertRecord({ taskId: 81 });
      const c = seen.captureUrl;
      const pc = await enrol(c, 'C');
      const c1 = await matched(pc, c);
      expect(await del(seen)).toBe(0);
      expect(await status(c)).toBe(0);
      expect((await api.call('/DeletePerson', { lib_id: lib, person_id: pc })).code).toBe(0);
      expect(await status(c)).toBe(0);
      expect(await del(c1)).toBe(0);
      expect(await status(c)).toBe(gone);
      await expect(api.host.resources.store.get(c.slice(1))).rejects.toMatchObject({ kind: 'PICTURE_NOT_FOUND' });

      // the other order: the person goes first, then the capture's own record, then the last match
      const seen2 = await insertRecord({ taskId: 81 });
      const d = seen2.captureUrl;
      const pd = await enrol(d, 'D');
      const d1 = await matched(pd, d);
      expect((await api.call('/DeletePerson', { lib_id: lib, person_id: pd })).code).toBe(0);
      expect(await status(d)).toBe(0);
      expect(await del(seen2)).toBe(0);
      expect(await status(d)).toBe(0);
      expect(await del(d1)).toBe(0);
      expect(await status(d)).toBe(gone);

      // no record shows it as a match: the capture's own record keeps it after the person goes
      const seen3 = await insertRecord({ taskId: 81 });
      const pe = await enrol(seen3.captureUrl, 'E');
      expect((await api.call('/DeletePerson', { lib_id: lib, person_id: pe })).code).toBe(0);
      expect(await status(seen3.captureUrl)).toBe(0);
      expect(await del(seen3)).toBe(0);
      expect(await status(seen3.captureUrl)).toBe(gone);
    });

    it('needs a session', async () => {
      expect((await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1 }, { session: null })).code).toBe(E.SESSION_MISSING.code);
      expect((await api.call('/DeleteTaskCaptureRecord', { record_id: 1 }, { session: null })).code).toBe(E.SESSION_MISSING.code);
    });
  });

  describe('restarts', () => {
    it('data is there after the host stops and starts again on the same database and store', async () => {
      const lib = (await api.call('/AddLibrary', { name: 'durable' })).lib_id;
      const { pic_url } = await api.upload(fx.alice);
      const person = await api.call('/AddPerson', { lib_id: lib, name: '持久', pic_url });
      expect(person.code).toBe(0);
      const oldSession = api.session;
      await api.restart();
      // sessions are stored too: the old one still works
      expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, name: 'durable' }, { session: oldSession })).info.items[0]).toMatchObject({ lib_id: lib, person_count: 1 });
      const p = (await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib })).info.items[0];
      expect(p).toMatchObject({ person_id: person.person_id, name: '持久', pinyin: 'chi jiu', pic_url });
      expect((await api.call('/DownloadPersonPicture', { pic_url })).code).toBe(0);
    });
  });

  describe('dependencies down', () => {
    it.runIf(backend === 'wire')('a store that stops answering → STORAGE_UNAVAILABLE; a database that stops → DB_UNAVAILABLE', async () => {
      const { pic_url } = await api.upload(fx.bob);
      await s3.stop(); // the switched-to store in force since the StorageServer test
      expect((await api.call('/DownloadPersonPicture', { pic_url })).code).toBe(E.STORAGE_UNAVAILABLE.code);
      expect((await api.upload(fx.bob)).code).toBe(E.STORAGE_UNAVAILABLE.code);
      await api.stopDatabase();
      const r = await api.call('/QueryLibraryList', { page_no: 1, page_size: 1 });
      expect(r).toEqual({ code: E.DB_UNAVAILABLE.code, msg: E.DB_UNAVAILABLE.msg });
    });
  });
});
