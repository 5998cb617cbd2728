import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { makeFixtures, type Fixtures } from './fixtures.ts';

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe.each(backends)('libraries, persons, Compare1V1 (%s)', (backend) => {
  let api: Api;
  let fx: Fixtures;
  const pics: Record<string, string> = {};
  beforeAll(async () => {
    [api, fx] = await Promise.all([startApi(backend), makeFixtures()]);
    await api.login();
    for (const k of ['alice', 'alice2', 'bob', 'carol', 'group', 'tiny', 'blurred', 'blank', 'profile'] as const) {
      const r = await api.upload(fx[k], `${k}.jpg`);
      expect(r.code).toBe(0);
      pics[k] = r.pic_url;
    }
  });
  afterAll(async () => { await api?.stop(); });

  const addLib = async (name: string, type = 0) => {
    const r = await api.call('/AddLibrary', { name, type, remark: `r-${name}` });
    expect(r.code).toBe(0);
    return r.lib_id as number;
  };
  const addPerson = async (lib_id: number, name: string, pic = 'alice', extra: Record<string, unknown> = {}) => {
    const r = await api.call('/AddPerson', { lib_id, name, pic_url: pics[pic], ...extra });
    expect(r).toMatchObject({ code: 0, msg: '' });
    return r.person_id as number;
  };
  const upload = async (k: keyof Fixtures) => (await api.upload(fx[k])).pic_url as string;
  const personCount = async () => (await api.call('/QueryPersonList', { page_no: 1, page_size: 1 })).info.total_count as number;

  describe('libraries', () => {
    it('AddLibrary → lib_id; QueryLibraryList fields, person_count, filters, paging, newest first', async () => {
      const a = await addLib('Lib_Alpha', 7);
      const b = await addLib('lib 100% beta', 7);
      await addPerson(b, 'P1');
      const r = await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, type: 7 });
      expect(r.code).toBe(0);
      expect(r.info).toMatchObject({ page_no: 1, page_size: 10, total_count: 2 });
      expect(r.info.items.map((i: any) => i.lib_id)).toEqual([b, a]);
      expect(r.info.items[0]).toEqual({ lib_id: b, name: 'lib 100% beta', type: 7, person_count: 1, remark: 'r-lib 100% beta', create_time: expect.stringMatching(TIME) });
      const ci = await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, name: 'LIB_alp' });
      expect(ci.info.items.map((i: any) => i.lib_id)).toEqual([a]);
      // % and _ are literal
      expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, name: '100%' })).info.items.map((i: any) => i.lib_id)).toEqual([b]);
      expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, name: '%' })).info.items.map((i: any) => i.lib_id)).toEqual([b]);
      expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, name: 'b_A' })).info.total_count).toBe(1);
      const p2 = await api.call('/QueryLibraryList', { page_no: 2, page_size: 1, type: 7 });
      expect(p2.info).toMatchObject({ page_no: 2, page_size: 1, total_count: 2 });
      expect(p2.info.items.map((i: any) => i.lib_id)).toEqual([a]);
      expect((await api.call('/QueryLibraryList', { page_no: 9, page_size: 1, type: 7 })).info).toMatchObject({ total_count: 2, items: [] });
      expect((await api.call('/AddLibrary', { name: 'deftype' })).code).toBe(0);
    });

    it('AddLibrary without type stores type 0; the type filter excludes libraries of other types', async () => {
      const def = await api.call('/AddLibrary', { name: 'tf-default' });
      expect(def.code).toBe(0);
      const eight = await addLib('tf-eight', 8);
      const nine = await addLib('tf-nine', 9);
      const q = async (f: Record<string, unknown>) => (await api.call('/QueryLibraryList', { page_no: 1, page_size: 100, ...f })).info;
      expect((await q({ name: 'tf-default' })).items).toEqual([expect.objectContaining({ lib_id: def.lib_id, type: 0, remark: '' })]);
      expect((await q({ name: 'tf-' })).items.map((i: any) => i.lib_id)).toEqual([nine, eight, def.lib_id]);
      expect(await q({ name: 'tf-', type: 8 })).toMatchObject({ total_count: 1, items: [{ lib_id: eight, type: 8 }] });
      expect(await q({ name: 'tf-', type: 9 })).toMatchObject({ total_count: 1, items: [{ lib_id: nine, type: 9 }] });
      expect(await q({ name: 'tf-', type: 0 })).toMatchObject({ total_count: 1, items: [{ lib_id: def.lib_id, type: 0 }] });
      expect(await q({ name: 'tf-', type: 10 })).toMatchObject({ total_count: 0, items: [] });
      const zeros = await q({ type: 0 });
      expect(zeros.items.every((i: any) => i.type === 0)).toBe(true);
      expect(zeros.items.map((i: any) => i.lib_id)).toContain(def.lib_id);
      expect(zeros.items.map((i: any) => i.lib_id)).not.toContain(eight);
    });

    it('QueryLibraryList name: "" means no filter', async () => {
      await addLib('empty-name-filter');
      const all = (await api.call('/QueryLibraryList', { page_no: 1, page_size: 1000 })).info;
      const empty = await api.call('/QueryLibraryList', { page_no: 1, page_size: 1000, name: '' });
      expect(empty.code).toBe(0);
      expect(empty.info).toEqual(all);
      expect(all.total_count).toBeGreaterThan(1);
    });

    it('DeleteLibrary removes its persons and the pictures only they used', async () => {
      const lib = await addLib('doomed');
      const keep = await addLib('keeper');
      const own = await upload('bob');
      const shared = await upload('carol');
      await addPerson(lib, 'owner', 'x', { pic_url: own });
      await addPerson(lib, 'sharer', 'x', { pic_url: shared });
      await addPerson(keep, 'other', 'x', { pic_url: shared });
      expect(await api.call('/DeleteLibrary', { lib_id: lib })).toEqual({ code: 0, msg: '' });
      expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib })).info.total_count).toBe(0);
      expect((await api.call('/DownloadPersonPicture', { pic_url: own })).code).toBe(E.PICTURE_NOT_FOUND.code);
      expect((await api.call('/DownloadPersonPicture', { pic_url: shared })).code).toBe(0);
      expect((await api.call('/DeleteLibrary', { lib_id: lib })).code).toBe(E.LIBRARY_NOT_FOUND.code);
    });

    it('DeleteLibrary of a library a task uses → LIBRARY_IN_USE, nothing deleted', async () => {
      const lib = await addLib('in-task');
      await addPerson(lib, 'stays');
      const cam = await api.call('/AddCamera', { name: 'c', rtsp: 'rtsp://10.0.0.1/s' });
      const task = await api.call('/AddTask', { name: 't', camera_list1: String(cam.camera_id), lib_list: String(lib), interval: 1000, threshold: 0.8 });
      expect(task.code).toBe(0);
      expect((await api.call('/DeleteLibrary', { lib_id: lib })).code).toBe(E.LIBRARY_IN_USE.code);
      expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib })).info.total_count).toBe(1);
    });

    it('bad input: missing name, wrong types, absurd pages', async () => {
      expect(await api.call('/AddLibrary', { type: 0 })).toEqual({ code: E.INVALID_FIELD.code, msg: 'name: is required' });
      expect((await api.call('/AddLibrary', { name: 'x', type: '0' })).msg).toMatch(/^type:/);
      expect((await api.call('/DeleteLibrary', { lib_id: -1 })).msg).toMatch(/^lib_id:/);
      for (const [page_no, page_size, field] of [[0, 10, 'page_no'], [1, 0, 'page_size'], [1, 1001, 'page_size'], [1, -5, 'page_size'], [1.5, 10, 'page_no'], ['1', 10, 'page_no'], [1, 1e12, 'page_size']] as const) {
        const r = await api.call('/QueryLibraryList', { page_no, page_size });
        expect(r.code).toBe(E.INVALID_FIELD.code);
        expect(r.msg.startsWith(`${field}:`)).toBe(true);
      }
      expect((await api.call('/QueryLibraryList', { page_size: 10 })).msg).toBe('page_no: is required');
    });
  });

  describe('persons', () => {
    it('AddPerson → person_id; QueryPersonList returns every field, pinyin, lib_name', async () => {
      const lib = await addLib('staff');
      const id = await addPerson(lib, '张三', 'alice', { sex: 1, card_no: 'ID-001', phone: '13800138000', category: 1, remark: 'vip' });
      const r = await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib });
      expect(r.info).toMatchObject({ page_no: 1, page_size: 10, total_count: 1 });
      expect(r.info.items[0]).toEqual({
        lib_id: lib, lib_name: 'staff', person_id: id, name: '张三', pinyin: 'zhang san', sex: 1, card_no: 'ID-001', phone: '13800138000',
        category: 1, pic_url: pics.alice, remark: 'vip', create_time: expect.stringMatching(TIME),
      });
      const latin = await addPerson(lib, 'Tom Smith', 'bob');
      const items = (await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib })).info.items;
      expect(items[0]).toMatchObject({ person_id: latin, pinyin: 'Tom Smith', sex: 0, card_no: '', phone: '', category: 0, remark: '' });
    });

    it('QueryPersonList filters: name (substring, also pinyin), card_no exact, category, phone substring', async () => {
      const lib = await addLib('filters');
      const a = await addPerson(lib, '李小龙', 'alice', { card_no: 'C-1', phone: '555-1234', category: 1 });
      const b = await addPerson(lib, 'Bruce_Lee', 'bob', { card_no: 'C-12', phone: '555-9999', category: 0 });
      const q = async (f: Record<string, unknown>) => (await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib, ...f })).info.items.map((i: any) => i.person_id);
      expect(await q({ name: '小龙' })).toEqual([a]);
      expect(await q({ name: 'xiao long' })).toEqual([a]);
      expect(await q({ name: 'bruce_' })).toEqual([b]);
      expect(await q({ name: '_' })).toEqual([b]);
      expect(await q({ card_no: 'C-1' })).toEqual([a]);
      expect(await q({ card_no: 'c-1' })).toEqual([]);
      expect(await q({ card_no: '' })).toEqual([b, a]);
      expect(await q({ category: 1 })).toEqual([a]);
      expect(await q({ phone: '1234' })).toEqual([a]);
      expect(await q({ phone: '555' })).toEqual([b, a]);
    });

    it('QueryPersonList pages: newest first, consistent across pages, total_count on every page, [] past the end', async () => {
      const lib = await addLib('paging');
      const ids: number[] = [];
      for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) ids.push(await addPerson(lib, n));
      const newestFirst = [...ids].reverse();
      const pageOf = async (page_no: number) => (await api.call('/QueryPersonList', { page_no, page_size: 2, lib_id: lib })).info;
      const pages = [await pageOf(1), await pageOf(2), await pageOf(3)];
      expect(pages.map((p) => p.items.map((i: any) => i.person_id))).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
      pages.forEach((p, n) => expect(p).toMatchObject({ page_no: n + 1, page_size: 2, total_count: 5 }));
      expect(pages[1].items.map((i: any) => i.name)).toEqual(['p3', 'p2']);
      expect(await pageOf(4)).toEqual({ page_no: 4, page_size: 2, total_count: 5, items: [] });
      expect((await api.call('/QueryPersonList', { page_no: 1000, page_size: 1000, lib_id: lib })).info).toMatchObject({ total_count: 5, items: [] });
      // a filter pages over the filtered rows only
      const filtered = await api.call('/QueryPersonList', { page_no: 2, page_size: 1, lib_id: lib, name: 'p' });
      expect(filtered.info).toMatchObject({ total_count: 5, items: [{ person_id: newestFirst[1] }] });
    });

    it('QueryPersonList name: "" and phone: "" mean no filter', async () => {
      const lib = await addLib('empty-filters');
      const a = await addPerson(lib, 'Anna', 'alice', { phone: '100' });
      const b = await addPerson(lib, 'Ben', 'bob');
      const q = async (f: Record<string, unknown>) => {
        const r = await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: lib, ...f });
        expect(r.code, JSON.stringify(f)).toBe(0);
        return r.info;
      };
      const all = await q({});
      expect(all.items.map((i: any) => i.person_id)).toEqual([b, a]);
      expect(await q({ name: '' })).toEqual(all);
      expect(await q({ phone: '' })).toEqual(all);
      expect(await q({ name: '', phone: '', card_no: '' })).toEqual(all);
      // across libraries too
      const everyone = (await api.call('/QueryPersonList', { page_no: 1, page_size: 1000 })).info;
      expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 1000, name: '', phone: '' })).info).toEqual(everyone);
    });

    it('AddPerson: missing or empty name, over-long phone → INVALID_FIELD naming the field; nothing stored', async () => {
      const lib = await addLib('field-errs');
      const before = await personCount();
      expect(await api.call('/AddPerson', { lib_id: lib, pic_url: pics.alice })).toEqual({ code: E.INVALID_FIELD.code, msg: 'name: is required' });
      for (const name of ['', '   ', null, 5, 'n'.repeat(129)]) {
        const r = await api.call('/AddPerson', { lib_id: lib, name, pic_url: pics.alice });
        expect(r.code, String(name)).toBe(E.INVALID_FIELD.code);
        expect(r.msg, String(name)).toMatch(/^name: /);
      }
      for (const phone of ['1'.repeat(33), 13800138000]) {
        const r = await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: pics.alice, phone });
        expect(r.code, String(phone)).toBe(E.INVALID_FIELD.code);
        expect(r.msg, String(phone)).toMatch(/^phone: /);
      }
      expect(await personCount()).toBe(before);
      // the limit itself is accepted
      const ok = await addPerson(lib, 'max-phone', 'alice', { phone: '1'.repeat(32) });
      const long = await api.call('/UpdatePerson', { lib_id: lib, person_id: ok, phone: '2'.repeat(33) });
      expect(long.code).toBe(E.INVALID_FIELD.code);
      expect(long.msg).toMatch(/^phone: /);
      expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 1, lib_id: lib })).info.items[0]).toMatchObject({ person_id: ok, phone: '1'.repeat(32) });
    });

    it('AddPerson refuses pictures without exactly one usable face, with its code, and stores nothing', async () => {
      const lib = await addLib('refusals');
      const before = await personCount();
      for (const [pic, kind] of [['blank', 'NO_FACE'], ['group', 'MULTIPLE_FACES'], ['tiny', 'FACE_TOO_SMALL'], ['blurred', 'FACE_TOO_BLURRY'], ['profile', 'FACE_POOR_QUALITY']] as const) {
        const r = await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: pics[pic] });
        expect(r.code).toBe(E[kind].code);
        expect(r.msg).toMatch(/^pic_url:/);
      }
      expect(await personCount()).toBe(before);
    });

    it('AddPerson errors: unknown library, bad or unknown pic_url, bad enums', async () => {
      const lib = await addLib('errs');
      const before = await personCount();
      expect((await api.call('/AddPerson', { lib_id: 999999, name: 'x', pic_url: pics.alice })).code).toBe(E.LIBRARY_NOT_FOUND.code);
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: '/etc/passwd' })).code).toBe(E.INVALID_PIC_URL.code);
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: '/pictures/2026/01/01/00000000-0000-4000-8000-000000000000.jpg' })).code).toBe(E.PICTURE_NOT_FOUND.code);
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: pics.alice, sex: 3 })).msg).toMatch(/^sex:/);
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: pics.alice, category: 2 })).msg).toMatch(/^category:/);
      expect(await api.call('/AddPerson', { lib_id: lib, name: 'x' })).toEqual({ code: E.INVALID_FIELD.code, msg: 'pic_url: is required' });
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'x', pic_url: pics.alice, card_no: 'a'.repeat(65) })).msg).toMatch(/^card_no:/);
      expect(await personCount()).toBe(before);
    });

    it('UpdatePerson: fields and pinyin; a new pic_url is enrolled and the old picture goes; a faceless one changes nothing', async () => {
      const lib = await addLib('upd');
      const first = await upload('bob');
      const id = await addPerson(lib, 'Old', 'x', { pic_url: first });
      expect(await api.call('/UpdatePerson', { lib_id: lib, person_id: id, name: '王五', sex: 2, phone: '1', card_no: 'K', category: 1, remark: 'm' })).toEqual({ code: 0, msg: '' });
      let p = (await api.call('/QueryPersonList', { page_no: 1, page_size: 1, lib_id: lib })).info.items[0];
      expect(p).toMatchObject({ name: '王五', pinyin: 'wang wu', sex: 2, phone: '1', card_no: 'K', category: 1, remark: 'm', pic_url: first });
      const second = await upload('carol');
      expect((await api.call('/UpdatePerson', { lib_id: lib, person_id: id, pic_url: second })).code).toBe(0);
      expect((await api.call('/DownloadPersonPicture', { pic_url: first })).code).toBe(E.PICTURE_NOT_FOUND.code);
      const r = await api.call('/UpdatePerson', { lib_id: lib, person_id: id, pic_url: pics.group, name: 'Nope' });
      expect(r.code).toBe(E.MULTIPLE_FACES.code);
      p = (await api.call('/QueryPersonList', { page_no: 1, page_size: 1, lib_id: lib })).info.items[0];
      expect(p).toMatchObject({ name: '王五', pic_url: second });
      expect((await api.call('/UpdatePerson', { lib_id: lib + 1000, person_id: id, name: 'x' })).code).toBe(E.LIBRARY_NOT_FOUND.code);
      const other = await addLib('other');
      expect((await api.call('/UpdatePerson', { lib_id: other, person_id: id, name: 'x' })).code).toBe(E.PERSON_NOT_FOUND.code);
      expect((await api.call('/UpdatePerson', { lib_id: lib, person_id: 2 ** 53, name: 'x' })).msg).toMatch(/^person_id:/);
    });

    it('stores the embedding: the nearest person to another photo of the same face is that person', async () => {
      const lib = await addLib('nearest');
      const alice = await addPerson(lib, 'Alice', 'alice');
      await addPerson(lib, 'Bob', 'bob');
      await addPerson(lib, 'Carol', 'carol');
      const probe = await api.host.services.persons.embed(pics.alice2, 'probe');
      const [best, second] = await api.host.resources.repos.persons.nearest(probe, [lib], 2);
      expect(best).toMatchObject({ id: alice, name: 'Alice', libId: lib, libName: 'nearest' });
      expect(best.cosine).toBeGreaterThan(second.cosine);
      expect(await api.host.resources.repos.persons.nearest(probe, [], 1)).toEqual([]);
    });

    it('DeletePerson, DeletePicture while in use → PICTURE_IN_USE', async () => {
      const lib = await addLib('del');
      const pic = await upload('carol');
      const id = await addPerson(lib, 'Gone', 'x', { pic_url: pic });
      expect((await api.call('/DeletePicture', { pic_url: pic })).code).toBe(E.PICTURE_IN_USE.code);
      expect((await api.call('/DeletePerson', { lib_id: lib, person_id: id })).code).toBe(0);
      expect((await api.call('/DeletePerson', { lib_id: lib, person_id: id })).code).toBe(E.PERSON_NOT_FOUND.code);
      expect((await api.call('/DownloadPersonPicture', { pic_url: pic })).code).toBe(E.PICTURE_NOT_FOUND.code);
    });

    it('DeletePerson with another library\'s lib_id → PERSON_NOT_FOUND; an unknown lib_id → LIBRARY_NOT_FOUND; the person and picture stay', async () => {
      const home = await addLib('home');
      const elsewhere = await addLib('elsewhere');
      const pic = await upload('bob');
      const id = await addPerson(home, 'Stays', 'x', { pic_url: pic });
      const wrong = await api.call('/DeletePerson', { lib_id: elsewhere, person_id: id });
      expect(wrong.code).toBe(E.PERSON_NOT_FOUND.code);
      expect(wrong.msg).toMatch(/^person_id: /);
      const unknown = await api.call('/DeletePerson', { lib_id: 999999, person_id: id });
      expect(unknown.code).toBe(E.LIBRARY_NOT_FOUND.code);
      expect(unknown.msg).toMatch(/^lib_id: /);
      expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: home })).info.items).toEqual([expect.objectContaining({ person_id: id, pic_url: pic })]);
      expect((await api.call('/DownloadPersonPicture', { pic_url: pic })).code).toBe(0);
      expect((await api.call('/DeletePerson', { lib_id: home, person_id: id })).code).toBe(0);
    });

    it('SQL and LIKE metacharacters in names are stored and matched literally', async () => {
      const lib = await addLib("x'); DROP TABLE persons; --");
      const evil = "Robert'); DROP TABLE persons;-- %_\\";
      const id = await addPerson(lib, evil);
      const r = await api.call('/QueryPersonList', { page_no: 1, page_size: 10, name: "'); DROP TABLE persons;-- %_\\" });
      expect(r.info.items.map((i: any) => i.person_id)).toEqual([id]);
      expect(r.info.items[0].name).toBe(evil);
      expect(r.info.items[0].lib_name).toBe("x'); DROP TABLE persons; --");
      expect((await api.call('/AddPerson', { lib_id: lib, name: 'a\u0000b', pic_url: pics.alice })).msg).toMatch(/^name:/);
    });
  });

  describe('Compare1V1', () => {
    it('same face → high similarity, different faces → low', async () => {
      const same = await api.call('/Compare1V1', { first_pic: pics.alice, second_pic: pics.alice2 });
      expect(same.code).toBe(0);
      expect(same.similarity).toBeGreaterThanOrEqual(0.8);
      expect(same.similarity).toBeLessThanOrEqual(1);
      const diff = await api.call('/Compare1V1', { first_pic: pics.alice, second_pic: pics.bob });
      expect(diff.similarity).toBeLessThan(0.6);
      expect(diff.similarity).toBeGreaterThanOrEqual(0);
    });

    it('names the picture at fault', async () => {
      const r = await api.call('/Compare1V1', { first_pic: pics.alice, second_pic: pics.blank });
      expect(r.code).toBe(E.NO_FACE.code);
      expect(r.msg).toMatch(/^second_pic:/);
      expect((await api.call('/Compare1V1', { first_pic: '../x', second_pic: pics.alice })).msg).toMatch(/^first_pic:/);
      expect(await api.call('/Compare1V1', { first_pic: pics.alice })).toEqual({ code: E.INVALID_FIELD.code, msg: 'second_pic: is required' });
    });

    it('compares faces that enrolment refuses (small, blurred, turned) but not ambiguous photos', async () => {
      for (const k of ['tiny', 'blurred', 'profile'] as const) {
        const r = await api.call('/Compare1V1', { first_pic: pics.alice, second_pic: pics[k] });
        expect(r.code, k).toBe(0);
        expect(r.similarity, k).toBeGreaterThanOrEqual(0);
        expect(r.similarity, k).toBeLessThanOrEqual(1);
      }
      // tiny and blurred are alice: still recognised
      expect((await api.call('/Compare1V1', { first_pic: pics.alice, second_pic: pics.tiny })).similarity).toBeGreaterThanOrEqual(0.8);
      const group = await api.call('/Compare1V1', { first_pic: pics.group, second_pic: pics.alice });
      expect(group.code).toBe(E.MULTIPLE_FACES.code);
      expect(group.msg).toMatch(/^first_pic:/);
    });

    it('does not compare a deleted picture from memory', async () => {
      const copy = (await api.upload(fx.bob, 'copy.jpg')).pic_url;
      expect((await api.call('/Compare1V1', { first_pic: copy, second_pic: pics.bob })).similarity).toBeGreaterThanOrEqual(0.8);
      expect((await api.call('/DeletePicture', { pic_url: copy })).code).toBe(0);
      expect((await api.call('/Compare1V1', { first_pic: copy, second_pic: pics.bob })).code).toBe(E.PICTURE_NOT_FOUND.code);
    });

    it('needs a session', async () => {
      expect((await api.call('/Compare1V1', { first_pic: pics.alice, second_pic: pics.bob }, { session: null })).code).toBe(E.SESSION_MISSING.code);
    });
  });
});
