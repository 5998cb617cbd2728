/**
 * Roll call and attendance over HTTP on both backends, from records written for the edge cases:
 * late, early leave, absent, no sign-out, no sign-in, grace minutes, a sign-out before the sign-in,
 * windows and days whose local times fall on the previous UTC date (TIME_ZONE Asia/Shanghai), a
 * person added after the window (or working day), a task without plan or exit list, a deleted
 * record; the summary; the exports parsed back (BOM, English header, formula-looking names
 * neutralised, EXPORT_TOO_LARGE). Records go in through records.insertOnce, the matcher's own write
 * (the e2e suite writes them through a real camera).
 */
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorTable as E } from '../../core/errors.ts';
import { addDays, localDate, parseTime, weekdayOf } from '../../core/time.ts';
import { backends, startApi, type Api } from '../support/api.ts';
import { randomEmbedding } from '../support/faces.ts';
import { makeFixtures } from './fixtures.ts';

const TZ = 'Asia/Shanghai'; // startApi's TIME_ZONE
const EVERY_DAY = (wins: string[]) => JSON.stringify(Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [String(d), wins])));

describe.each(backends)('roll call and attendance (%s)', (backend) => {
  let api: Api;
  const today = localDate(new Date(), TZ);
  const D1 = addDays(today, -10);
  const D2 = addDays(today, -9);
  const D3 = addDays(today, -8);
  const p: Record<string, number> = {};
  const t: Record<string, number> = {};
  const cam: Record<string, number> = {};
  let staff: number;
  let guests: number;
  let seq = 0;

  const exec = (q: ReturnType<typeof sql>) => api.host.resources.db.orm.execute(q);
  /** a record of `task` at local `time` on camera `c` (list from the camera), matched to `person` (0: a stranger) */
  const rec = async (task: number, person: number, time: string, c: 'in' | 'out', name = '') => {
    const at = parseTime(time, TZ)!;
    const id = await api.host.resources.repos.records.insertOnce({
      messageId: `r-${++seq}`, taskId: task, cameraId: cam[c], cameraName: c === 'in' ? 'entrance' : 'exit', cameraList: c === 'in' ? 1 : 2,
      classify: person ? 1 : 0, personId: person || null, libId: person ? staff : null, personName: name, similarity: person ? 0.93 : 0.4,
      captureUrl: '', captureTime: at,
    }, undefined, { day: localDate(at, TZ) });
    return id!;
  };
  const person = async (name: string, pinyin: string, created: string, lib = staff) => {
    const { repos } = api.host.resources;
    const pic = (await api.upload(fx.bob)).pic_url;
    const id = await repos.persons.insert({ libId: lib, name, pinyin, sex: 0, cardNo: `C-${pinyin}`, phone: '', category: 0, picUrl: pic, remark: '', embedding: Array.from(randomEmbedding()) });
    await exec(sql`update persons set create_time = ${parseTime(created, TZ)!.toISOString()}::timestamptz where id = ${id}`);
    return id;
  };
  const addTask = async (o: Record<string, unknown>) => (await api.call('/AddTask', { interval: 1000, threshold: 0.8, lib_list: String(staff), ...o })).task_id as number;
  let fx: Awaited<ReturnType<typeof makeFixtures>>;

  beforeAll(async () => {
    [api, fx] = await Promise.all([startApi(backend, { EMBEDDED_STREAM_NODE: '0' }), makeFixtures()]);
    await api.login();
    staff = (await api.call('/AddLibrary', { name: 'staff' })).lib_id;
    guests = (await api.call('/AddLibrary', { name: 'guests' })).lib_id;
    cam.in = (await api.call('/AddCamera', { name: 'entrance', rtsp: 'rtsp://127.0.0.1:1/in' })).camera_id;
    cam.out = (await api.call('/AddCamera', { name: 'exit', rtsp: 'rtsp://127.0.0.1:1/out' })).camera_id;
    const long = `${addDays(today, -60)} 08:00:00`;
    p.zhang = await person('张三', 'zhang san', long);
    p.li = await person('李四', 'li si', long);
    p.wang = await person('王五', 'wang wu', long);
    p.zhao = await person('赵六', 'zhao liu', `${D2} 12:30:00`); // added during D2's working day
    p.qian = await person('钱七', 'qian qi', `${D3} 19:00:00`); // added after D3's working day
    p.sun = await person('孙八', 'sun ba', long, guests); // not in the tasks' libraries
    t.signin = await addTask({ name: 'sign-in', type: 3, camera_list1: String(cam.in), camera_list2: String(cam.out), plan: EVERY_DAY(['09:00-12:00', '13:00-18:00']), late_grace: 5, early_grace: 10 });
    t.plain = await addTask({ name: 'plain sign-in', type: 3, camera_list1: String(cam.in) }); // no plan, no exit list
    t.roll = await addTask({ name: 'roll call', type: 1, camera_list1: String(cam.in), plan: EVERY_DAY(['13:00-18:00', '07:00-09:00', '09:00-12:00']) });
    t.rollAllDay = await addTask({ name: 'all day', type: 1, camera_list1: String(cam.in) });
    t.normal = await addTask({ name: 'normal', camera_list1: String(cam.in) });
    const monday = EVERY_DAY([]).replace(/.*/, JSON.stringify({ 1: ['08:00-09:00'] }));
    t.rollMonday = await addTask({ name: 'mondays', type: 1, camera_list1: String(cam.in), plan: monday });

    const S = t.signin;
    // D1: on time / late and early / within grace but never out
    await rec(S, p.zhang, `${D1} 08:50:00`, 'in'); await rec(S, p.zhang, `${D1} 18:05:00`, 'out');
    await rec(S, p.li, `${D1} 09:07:00`, 'in'); await rec(S, p.li, `${D1} 17:45:00`, 'out');
    await rec(S, p.wang, `${D1} 09:04:30`, 'in');
    // D2: out but never in / within both graces (with extra captures) / absent / added that day and absent
    await rec(S, p.zhang, `${D2} 18:00:00`, 'out');
    await rec(S, p.li, `${D2} 09:00:30`, 'in'); await rec(S, p.li, `${D2} 13:05:00`, 'in'); await rec(S, p.li, `${D2} 12:01:00`, 'out'); await rec(S, p.li, `${D2} 17:52:00`, 'out');
    // D3: captures at local times that are still the previous date in UTC; an exit before the entrance
    await rec(S, p.zhang, `${D3} 07:30:00`, 'in'); await rec(S, p.zhang, `${D3} 18:30:00`, 'out');
    await rec(S, p.li, `${D3} 00:30:00`, 'in'); await rec(S, p.li, `${D3} 23:50:00`, 'out');
    await rec(S, p.wang, `${D3} 08:00:00`, 'out'); await rec(S, p.wang, `${D3} 10:00:00`, 'in');
    await rec(S, p.zhao, `${D3} 09:00:00`, 'in'); await rec(S, p.zhao, `${D3} 18:00:00`, 'out');
    await rec(S, 0, `${D3} 09:00:00`, 'in'); // a stranger
    await rec(t.normal, p.wang, `${D3} 17:00:00`, 'out'); // another task
    // plain (no plan, no exit list), D1
    await rec(t.plain, p.zhang, `${D1} 09:00:00`, 'in'); await rec(t.plain, p.zhang, `${D1} 17:00:00`, 'in');
    await rec(t.plain, p.li, `${D1} 09:00:00`, 'in');
    // roll call, D2
    await rec(t.roll, p.zhang, `${D2} 07:30:00`, 'in'); // window 1 (07:00-09:00 = 23:00-01:00 UTC)
    await rec(t.roll, p.li, `${D2} 11:00:00`, 'in'); await rec(t.roll, p.li, `${D2} 10:00:00`, 'in'); // window 2, first at 10:00
    await rec(t.roll, p.zhang, `${D2} 12:30:00`, 'in'); // between windows
    await rec(t.rollAllDay, p.wang, `${today} 00:00:01`, 'in');
  }, 180_000);
  afterAll(async () => { await api?.stop(); });

  const attendance = async (f: Record<string, unknown>) => api.call('/QueryAttendance', { task_id: t.signin, start_date: D1, end_date: D3, page_no: 1, page_size: 100, ...f });
  const row = (items: any[], date: string, id: number) => items.find((r) => r.date === date && r.person_id === id);

  it('attendance: status, first in / last out and their cameras, late and early minutes per person and working day', async () => {
    const r = await attendance({});
    expect(r.code).toBe(0);
    const items = r.info.items;
    // D1: 3 persons; D2: + 赵六 (added that day, before its end); D3: 4 (钱七 came after the working day)
    expect(r.info.total_count).toBe(11);
    expect(items.map((x: any) => `${x.date} ${x.person_name}`)).toEqual([
      ...['李四', '王五', '张三'].map((n) => `${D1} ${n}`), ...['李四', '王五', '张三', '赵六'].map((n) => `${D2} ${n}`), ...['李四', '王五', '张三', '赵六'].map((n) => `${D3} ${n}`),
    ]);
    expect(row(items, D1, p.zhang)).toEqual({
      date: D1, person_id: p.zhang, person_name: '张三', lib_id: staff, lib_name: 'staff', card_no: 'C-zhang san', first_in: `${D1} 08:50:00`,
      last_out: `${D1} 18:05:00`, in_camera_name: 'entrance', out_camera_name: 'exit', status: 0, late_minutes: 0, early_minutes: 0,
    });
    expect(row(items, D1, p.li)).toMatchObject({ status: 3, late_minutes: 7, early_minutes: 15 });
    expect(row(items, D1, p.wang)).toMatchObject({ status: 5, late_minutes: 0, early_minutes: 0, first_in: `${D1} 09:04:30`, last_out: '', out_camera_name: '' });
    expect(row(items, D2, p.zhang)).toMatchObject({ status: 6, first_in: '', in_camera_name: '', last_out: `${D2} 18:00:00`, out_camera_name: 'exit' });
    expect(row(items, D2, p.li)).toMatchObject({ status: 0, first_in: `${D2} 09:00:30`, last_out: `${D2} 17:52:00`, late_minutes: 0, early_minutes: 0 });
    expect(row(items, D2, p.wang)).toMatchObject({ status: 4, first_in: '', last_out: '' });
    expect(row(items, D2, p.zhao)).toMatchObject({ status: 4 });
    expect(row(items, D3, p.zhang)).toMatchObject({ status: 0, first_in: `${D3} 07:30:00`, last_out: `${D3} 18:30:00` });
    expect(row(items, D3, p.li)).toMatchObject({ status: 0, first_in: `${D3} 00:30:00`, last_out: `${D3} 23:50:00` });
    // the exit at 08:00 came before the entrance at 10:00: no sign-out (and late)
    expect(row(items, D3, p.wang)).toMatchObject({ status: 5, first_in: `${D3} 10:00:00`, last_out: '', late_minutes: 60 });
    expect(row(items, D3, p.zhao)).toMatchObject({ status: 0 });
  });

  it('attendance: filters (status, person_name on name or pinyin, lib_id), paging, days after today not listed', async () => {
    const names = async (f: Record<string, unknown>) => (await attendance(f)).info.items.map((x: any) => `${x.date} ${x.person_name}`);
    expect(await names({ status: 4 })).toEqual([`${D2} 王五`, `${D2} 赵六`]);
    expect(await names({ person_name: 'zhang' })).toEqual([D1, D2, D3].map((d) => `${d} 张三`));
    expect(await names({ person_name: '李' })).toEqual([D1, D2, D3].map((d) => `${d} 李四`));
    expect((await attendance({ lib_id: staff })).info.total_count).toBe(11);
    expect((await attendance({ lib_id: guests })).info.total_count).toBe(0);
    const page2 = (await attendance({ page_no: 2, page_size: 4 })).info;
    expect(page2.total_count).toBe(11);
    expect(page2.items.map((x: any) => `${x.date} ${x.person_name}`)).toEqual([`${D2} 王五`, `${D2} 张三`, `${D2} 赵六`, `${D3} 李四`]);
    expect((await attendance({ page_no: 9, page_size: 4 })).info).toMatchObject({ total_count: 11, items: [] });
    expect((await attendance({ status: 2 })).info).toMatchObject({ total_count: 0, items: [] });
    const future = (await attendance({ start_date: addDays(today, 1), end_date: addDays(today, 5) })).info;
    expect(future).toMatchObject({ total_count: 0, items: [] });
    const withToday = (await attendance({ start_date: addDays(today, -1), end_date: addDays(today, 3) })).info;
    expect(new Set(withToday.items.map((x: any) => x.date))).toEqual(new Set([addDays(today, -1), today]));
  });

  it('attendance summary per person over the same rows', async () => {
    const r = await api.call('/QueryAttendanceSummary', { task_id: t.signin, start_date: D1, end_date: D3, page_no: 1, page_size: 100 });
    expect(r.code).toBe(0);
    expect(r.info.total_count).toBe(4);
    const by = (id: number) => r.info.items.find((x: any) => x.person_id === id);
    expect(r.info.items.map((x: any) => x.person_name)).toEqual(['李四', '王五', '张三', '赵六']);
    expect(by(p.zhang)).toEqual({
      person_id: p.zhang, person_name: '张三', lib_id: staff, lib_name: 'staff', card_no: 'C-zhang san', days: 3, days_present: 3, days_late: 0,
      days_early: 0, days_absent: 0, days_no_sign_out: 0, late_minutes_total: 0, early_minutes_total: 0,
    });
    expect(by(p.li)).toMatchObject({ days: 3, days_present: 3, days_late: 1, days_early: 1, days_absent: 0, late_minutes_total: 7, early_minutes_total: 15 });
    expect(by(p.wang)).toMatchObject({ days: 3, days_present: 2, days_late: 1, days_absent: 1, days_no_sign_out: 2, late_minutes_total: 60 });
    expect(by(p.zhao)).toMatchObject({ days: 2, days_present: 1, days_absent: 1 });
    const late = await api.call('/QueryAttendanceSummary', { task_id: t.signin, start_date: D1, end_date: D3, page_no: 1, page_size: 100, status: 4 });
    expect(late.info.items.map((x: any) => [x.person_name, x.days_absent])).toEqual([['王五', 1], ['赵六', 1]]);
  });

  it('a task without plan or exit list: present (a later capture signs out), no sign-out, absent; no late or early', async () => {
    const items = (await api.call('/QueryAttendance', { task_id: t.plain, start_date: D1, end_date: D1, page_no: 1, page_size: 10 })).info.items;
    expect(row(items, D1, p.zhang)).toMatchObject({ status: 0, first_in: `${D1} 09:00:00`, last_out: `${D1} 17:00:00`, out_camera_name: 'entrance', late_minutes: 0 });
    expect(row(items, D1, p.li)).toMatchObject({ status: 5, last_out: '' });
    expect(row(items, D1, p.wang)).toMatchObject({ status: 4 });
  });

  it('deleting a record recomputes that person\'s day', async () => {
    const recs = (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 10, task_id: t.signin, start_time: `${D1} 18:05:00`, end_time: `${D1} 18:05:00` })).info.items;
    expect(recs).toHaveLength(1);
    expect((await api.call('/DeleteTaskCaptureRecord', { record_id: recs[0].record_id })).code).toBe(0);
    expect(row((await attendance({})).info.items, D1, p.zhang)).toMatchObject({ status: 5, last_out: '', first_in: `${D1} 08:50:00` });
  });

  it('attendance days follow TIME_ZONE: rebuilt from the records for another zone, and back', async () => {
    const { repos } = api.host.resources;
    const days = async () => ((await exec(sql`select day::text as day from attendance_days where task_id = ${t.signin} and person_id = ${p.li} order by day`)) as any);
    const list = async () => { const r = await days(); return (Array.isArray(r) ? r : r.rows).map((x: any) => x.day); };
    const before = await list();
    expect(await repos.attendance.ensureZone(TZ)).toBe(false); // nothing to do
    expect(await repos.attendance.ensureZone('UTC')).toBe(true);
    // 李四's D3 entrance at 00:30 Shanghai is 16:30 UTC of the day before
    expect(await list()).toEqual([D1, D2, D3].flatMap((d) => (d === D3 ? [addDays(D3, -1), D3] : [d])).filter((d, i, a) => a.indexOf(d) === i));
    expect(await repos.attendance.ensureZone(TZ)).toBe(true);
    expect(await list()).toEqual(before);
  });

  it('attendance: refusals name the field', async () => {
    const r = async (f: Record<string, unknown>) => { const x = await attendance(f); return [x.code, x.msg.split(':')[0]]; };
    expect(await r({ start_date: '2024-02-30' })).toEqual([E.INVALID_FIELD.code, 'start_date']);
    expect(await r({ end_date: '20240101' })).toEqual([E.INVALID_FIELD.code, 'end_date']);
    expect(await r({ start_date: D3, end_date: D1 })).toEqual([E.INVALID_FIELD.code, 'end_date']);
    expect(await r({ start_date: addDays(D1, -366) })).toEqual([E.INVALID_FIELD.code, 'end_date']);
    expect((await attendance({ start_date: addDays(D3, -365) })).code).toBe(0); // 366 days is the most
    expect(await r({ status: 7 })).toEqual([E.INVALID_FIELD.code, 'status']);
    expect(await r({ task_id: t.roll })).toEqual([E.TASK_TYPE_MISMATCH.code, 'task_id']);
    expect(await r({ task_id: 999_999 })).toEqual([E.TASK_NOT_FOUND.code, 'task_id']);
    expect((await api.call('/QueryAttendance', { task_id: t.signin, page_no: 1, page_size: 10, end_date: D1 })).msg).toBe('start_date: is required');
  });

  const rollCall = (f: Record<string, unknown>) => api.call('/QueryRollCall', { task_id: t.roll, page_no: 1, page_size: 100, date: D2, ...f });

  it('roll call: the window\'s expected persons, absent first, by name; present with their first capture', async () => {
    const w2 = await rollCall({ window: 2 });
    expect(w2.code).toBe(0);
    // windows are numbered by start: 07:00-09:00, 09:00-12:00, 13:00-18:00; 赵六 came after window 2 ended
    expect(w2.info).toMatchObject({
      task_id: t.roll, task_name: 'roll call', date: D2, window: 2, window_start: `${D2} 09:00:00`, window_end: `${D2} 12:00:00`,
      expected: 3, present_count: 1, absent_count: 2, total_count: 3, page_no: 1, page_size: 100,
    });
    expect(w2.info.items.map((x: any) => [x.person_name, x.present])).toEqual([['王五', 0], ['张三', 0], ['李四', 1]]);
    expect(w2.info.items[2]).toEqual({
      person_id: p.li, person_name: '李四', lib_id: staff, lib_name: 'staff', card_no: 'C-li si', category: 0, present: 1,
      first_time: `${D2} 10:00:00`, camera_id: cam.in, camera_name: 'entrance', similarity: 0.93, capture_url: '',
    });
    expect(w2.info.items[0]).toMatchObject({ present: 0, first_time: '', camera_id: 0, camera_name: '', similarity: 0, capture_url: '' });
    // window 1 crosses the UTC date line; 张三 was there at 07:30
    const w1 = (await rollCall({ window: 1 })).info;
    expect(w1).toMatchObject({ window_start: `${D2} 07:00:00`, window_end: `${D2} 09:00:00`, expected: 3, present_count: 1 });
    expect(w1.items.find((x: any) => x.present === 1)).toMatchObject({ person_id: p.zhang, first_time: `${D2} 07:30:00` });
    // window 3: 赵六 (added at 12:30) is expected now; nobody came
    const w3 = (await rollCall({ window: 3 })).info;
    expect(w3).toMatchObject({ expected: 4, present_count: 0, absent_count: 4 });
    expect(w3.items.map((x: any) => x.person_name)).toEqual(['李四', '王五', '张三', '赵六']);
    // a past date without window: its last window
    expect((await rollCall({})).info.window).toBe(3);
  });

  it('roll call: present filter, paging, default date and window, refusals', async () => {
    expect((await rollCall({ window: 2, present: 1 })).info).toMatchObject({ total_count: 1, expected: 3, present_count: 1 });
    expect((await rollCall({ window: 2, present: 0 })).info.items.map((x: any) => x.person_name)).toEqual(['王五', '张三']);
    const p2 = (await rollCall({ window: 2, page_no: 2, page_size: 2 })).info;
    expect(p2).toMatchObject({ total_count: 3, expected: 3, present_count: 1 });
    expect(p2.items.map((x: any) => x.person_name)).toEqual(['李四']);
    expect((await rollCall({ window: 2, page_no: 5, page_size: 2 })).info).toMatchObject({ total_count: 3, expected: 3, present_count: 1, absent_count: 2, items: [] });
    // no plan: the calendar day, today by default
    const allDay = (await api.call('/QueryRollCall', { task_id: t.rollAllDay, page_no: 1, page_size: 10 })).info;
    expect(allDay).toMatchObject({ date: today, window: 1, window_start: `${today} 00:00:00`, window_end: `${addDays(today, 1)} 00:00:00`, present_count: 1 });
    const r = async (f: Record<string, unknown>) => { const x = await rollCall(f); return [x.code, x.msg.split(':')[0]]; };
    expect(await r({ window: 4 })).toEqual([E.WINDOW_NOT_FOUND.code, 'window']);
    const notMonday = weekdayOf(D2) === 1 ? D3 : D2;
    expect(await r({ task_id: t.rollMonday, date: notMonday })).toEqual([E.WINDOW_NOT_FOUND.code, 'date']);
    expect(await r({ date: '2024-02-30' })).toEqual([E.INVALID_FIELD.code, 'date']);
    expect(await r({ window: 0 })).toEqual([E.INVALID_FIELD.code, 'window']);
    expect(await r({ present: 2 })).toEqual([E.INVALID_FIELD.code, 'present']);
    expect(await r({ task_id: t.signin })).toEqual([E.TASK_TYPE_MISMATCH.code, 'task_id']);
    expect(await r({ task_id: 999_999 })).toEqual([E.TASK_NOT_FOUND.code, 'task_id']);
  });

  const csv = (data: string) => {
    const bytes = Buffer.from(data, 'base64');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM Excel needs for UTF-8
    expect(bytes.toString('utf8')).toContain('\r\n');
    return parse(bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
  };
  const asText = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

  it('exports: attendance, roll call and records as UTF-8 CSV with a BOM and an English header, parsed back equal to the queries', async () => {
    const a = await api.call('/ExportAttendance', { task_id: t.signin, start_date: D1, end_date: D3 });
    expect(a.code).toBe(0);
    const rows = csv(a.data);
    const items = (await attendance({})).info.items;
    const STATUS = ['normal', 'late', 'early leave', 'late and early leave', 'absent', 'no sign-out', 'no sign-in'];
    expect(rows).toEqual(items.map((x: any) => asText({ ...x, status_name: STATUS[x.status] })).map((x: any) => ({
      date: x.date, person_id: x.person_id, person_name: x.person_name, lib_id: x.lib_id, lib_name: x.lib_name, card_no: x.card_no, first_in: x.first_in,
      last_out: x.last_out, in_camera_name: x.in_camera_name, out_camera_name: x.out_camera_name, status: x.status, status_name: x.status_name,
      late_minutes: x.late_minutes, early_minutes: x.early_minutes,
    })));
    expect(Object.keys(rows[0])).toEqual(['date', 'person_id', 'person_name', 'lib_id', 'lib_name', 'card_no', 'first_in', 'last_out', 'in_camera_name', 'out_camera_name', 'status', 'status_name', 'late_minutes', 'early_minutes']);

    const rc = csv((await api.call('/ExportRollCall', { task_id: t.roll, date: D2, window: 2 })).data);
    const rcItems = (await rollCall({ window: 2 })).info.items;
    expect(rc.map((x) => [x.date, x.window_start, x.window_end, x.person_name, x.present, x.first_time])).toEqual(
      rcItems.map((x: any) => [D2, `${D2} 09:00:00`, `${D2} 12:00:00`, x.person_name, String(x.present), x.first_time]));

    const recs = csv((await api.call('/ExportCaptureRecord', { task_id: t.signin })).data);
    const listed = (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1000, task_id: t.signin })).info.items;
    expect(recs).toHaveLength(listed.length);
    expect(recs.map((x) => x.record_id)).toEqual(listed.map((x: any) => String(x.record_id)));
    expect(recs[0]).toEqual(asText(Object.fromEntries(Object.keys(recs[0]).map((k) => [k, listed[0][k]]))));
    // the filters apply; an empty result is a header only
    expect(csv((await api.call('/ExportCaptureRecord', { task_id: t.signin, classify: 0 })).data)).toHaveLength(1);
    expect(csv((await api.call('/ExportCaptureRecord', { task_id: t.signin, start_time: '2000-01-01 00:00:00', end_time: '2000-01-02 00:00:00' })).data)).toEqual([]);
    expect((await api.call('/ExportCaptureRecord', { start_time: 'yesterday' })).msg).toMatch(/^start_time:/);
    expect((await api.call('/ExportRollCall', { task_id: t.roll, date: D2, window: 9 })).code).toBe(E.WINDOW_NOT_FOUND.code);
  });

  it('exports neutralise cells a spreadsheet would run as formulas', async () => {
    await rec(t.normal, p.zhang, `${D1} 10:00:00`, 'in', '=HYPERLINK("http://x","y")');
    await rec(t.normal, p.zhang, `${D1} 10:00:01`, 'in', '+1-2');
    const rows = csv((await api.call('/ExportCaptureRecord', { task_id: t.normal, start_time: `${D1} 00:00:00`, end_time: `${D1} 23:59:59` })).data);
    expect(rows.map((r) => r.person_name)).toEqual([`'+1-2`, `'=HYPERLINK("http://x","y")`]);
  });

  it.runIf(backend === 'embedded')('an export of more than 100,000 rows is refused (EXPORT_TOO_LARGE)', async () => {
    await exec(sql`insert into capture_records (message_id, task_id, camera_id, classify, capture_time)
      select 'bulk-' || g, ${t.normal}, ${cam.in}, 0, now() - (g || ' seconds')::interval from generate_series(1, 100001) g`);
    const r = await api.call('/ExportCaptureRecord', { task_id: t.normal, classify: 0 });
    expect(r).toEqual({ code: E.EXPORT_TOO_LARGE.code, msg: 'the export would have 100001 rows; at most 100000: narrow the filters (a shorter time range, one task or camera)' });
    expect((await api.call('/ExportCaptureRecord', { task_id: t.normal, classify: 1 })).code).toBe(0);
  }, 60_000);

  it('who may: reports and exports are for viewers', async () => {
    const { functions } = await import('../../functions/index.ts');
    for (const uri of ['/QueryRollCall', '/QueryAttendance', '/QueryAttendanceSummary', '/ExportCaptureRecord', '/ExportRollCall', '/ExportAttendance']) {
      expect(functions.find((f) => f.uri === uri)?.role, uri).toBe('viewer');
    }
  });
});
