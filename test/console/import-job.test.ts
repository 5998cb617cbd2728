/**
 * The bulk import runner (console/src/lib/import-job.ts): resumes without enrolling anyone twice,
 * and pauses (rows left pending) when the server fails. The API here is an in-memory stand-in, so
 * that a reload between an upload and its /AddPerson can be set up exactly; the browser test
 * (test/e2e/console.test.ts) runs the same code against the real host, reload included.
 */
import { describe, expect, it } from 'vitest';
import { runJob, progressOf, ImportPaused, type ImportApi, type JobMeta, type RowState } from '../../console/src/lib/import-job.ts';

const meta = (photos: string[]): JobMeta => ({
  id: 'j', lib_id: 7, lib_name: 'staff', created: 0, total: photos.length,
  source: { kind: 'files', photos: Object.fromEntries(photos.map((p) => [p, new Blob([p])])) },
});

function standIn(opts: { refuse?: Record<string, number>; failAddAfter?: number } = {}) {
  let down = false;
  const persons: { person_id: number; lib_id: number; name: string; pic_url: string }[] = [];
  let uploads = 0;
  let adds = 0;
  const api: ImportApi = {
    async upload(_photo, name) {
      uploads++;
      return `/pictures/2024/01/01/${name}-${uploads}.jpg`;
    },
    async addPerson(body) {
      adds++;
      if (opts.failAddAfter !== undefined && adds > opts.failAddAfter && !down) down = true;
      if (down) throw Object.assign(new Error('database unavailable'), { code: 5001 });
      const code = opts.refuse?.[body.name as string];
      if (code) throw Object.assign(new Error('pic_url: no face found in the picture'), { code });
      const p = { person_id: persons.length + 1, lib_id: body.lib_id as number, name: body.name as string, pic_url: body.pic_url as string };
      persons.push(p);
      return p.person_id;
    },
    async findByPicture(libId, name, picUrl) {
      return persons.find((p) => p.lib_id === libId && p.name === name && p.pic_url === picUrl)?.person_id;
    },
  };
  return { api, persons, counts: () => ({ uploads, adds }), recover: () => { down = false; opts.failAddAfter = undefined; } };
}

const rows = (names: string[]): RowState[] => names.map((n, i) => ({ row: i + 1, name: n, photo: `${n}.jpg`, status: 'pending' }));

describe('import runner', () => {
  it('adds every row, and a refused photo fails its row with the code and message', async () => {
    const s = standIn({ refuse: { blank: 2007 } });
    const r = rows(['ann', 'blank', 'bob']);
    await runJob({ meta: meta(['ann.jpg', 'blank.jpg', 'bob.jpg']), rows: r, api: s.api, persist: false });
    expect(r.map((x) => x.status)).toEqual(['ok', 'failed', 'ok']);
    expect(r[1]).toMatchObject({ code: 2007, msg: 'pic_url: no face found in the picture' });
    expect(progressOf(r)).toEqual({ done: 3, ok: 2, failed: 1, total: 3 });
    expect(s.persons.map((p) => p.name).sort()).toEqual(['ann', 'bob']);
  });

  it('resumed after a reload: an uploaded row that was added is found (not added again); one that was not is added with its upload', async () => {
    const s = standIn();
    const r = rows(['ann', 'bob', 'cid']);
    // before the reload: ann done; bob uploaded and added, but the page went before it saved 'ok'; cid uploaded only
    await runJob({ meta: meta(['ann.jpg']), rows: r.slice(0, 1), api: s.api, persist: false }).then(() => undefined);
    r[0] = { ...r[0], status: 'ok' };
    const bobPic = await s.api.upload(new Blob(), 'bob.jpg');
    await s.api.addPerson({ lib_id: 7, name: 'bob', pic_url: bobPic });
    r[1] = { ...r[1], status: 'uploaded', pic_url: bobPic };
    const cidPic = await s.api.upload(new Blob(), 'cid.jpg');
    r[2] = { ...r[2], status: 'uploaded', pic_url: cidPic };
    const before = s.counts();

    await runJob({ meta: meta(['ann.jpg', 'bob.jpg', 'cid.jpg']), rows: r, api: s.api, persist: false });
    expect(r.map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
    expect(s.persons.map((p) => p.name)).toEqual(['ann', 'bob', 'cid']);
    expect(s.counts()).toEqual({ uploads: before.uploads, adds: before.adds + 1 });
    expect(s.persons[2].pic_url).toBe(cidPic);
  });

  it('a server failure pauses the job: rows stay pending, and a resume finishes them', async () => {
    const s = standIn({ failAddAfter: 1 });
    const r = rows(['a', 'b', 'c', 'd']);
    const m = meta(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
    const paused = await runJob({ meta: m, rows: r, api: s.api, persist: false, concurrency: 1 }).then(() => null, (e) => e);
    expect(paused).toBeInstanceOf(ImportPaused);
    expect(paused.code).toBe(5001);
    expect(r.map((x) => x.status)).toEqual(['ok', 'uploaded', 'pending', 'pending']);

    s.recover();
    await runJob({ meta: m, rows: r, api: s.api, persist: false });
    expect(r.every((x) => x.status === 'ok')).toBe(true);
    expect(s.persons.map((p) => p.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rows with a problem found before sending fail without a request; a photo not in the files fails', async () => {
    const s = standIn();
    const r: RowState[] = [
      { row: 2, name: '', photo: 'x.jpg', status: 'pending', problem: { key: 'noName' } },
      { row: 3, name: 'gone', photo: 'gone.jpg', status: 'pending' },
    ];
    await runJob({ meta: meta([]), rows: r, api: s.api, persist: false });
    expect(r.map((x) => [x.status, x.msg])).toEqual([['failed', 'noName'], ['failed', 'photoMissing']]);
    expect(s.counts()).toEqual({ uploads: 0, adds: 0 });
  });
});
