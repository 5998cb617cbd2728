/**
 * Roll call (type 1 tasks) and attendance (type 3), and their exports. The rules (docs/api.md "Roll
 * call" and "Attendance"):
 *
 * - Windows come from the task's plan for the date's weekday, in TIME_ZONE, numbered 1.. by start
 *   (core/plan.ts windowsOn); no plan = one window, the calendar day.
 * - Expected persons: those of the task's libraries now, enrolled before the window (or working
 *   day) ended; a person added later is not expected there.
 * - Attendance: working days are the dates whose weekday the plan lists (every date without a
 *   plan), up to today; the working day runs from its first window's start to its last window's end.
 */
import { AppError } from '../../core/errors.ts';
import { minuteText, parsePlan, windowsOn, type Plan } from '../../core/plan.ts';
import { addDays, instantAt, localDate, parseDate, weekdayOf } from '../../core/time.ts';
import type { AttendanceQuery, ReportDay, ReportsRepo } from '../../db/repositories/reports.ts';
import type { TasksRepo } from '../../db/repositories/tasks.ts';
import { page, paged, round6, timeOf, type PageInput } from './common.ts';
import { checkExportSize, csvBase64, MAX_EXPORT_ROWS, type Column } from './csv.ts';

const WEEKDAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
/** at most this many days in one attendance query */
export const MAX_REPORT_DAYS = 366;
export const STATUS_NAMES = ['normal', 'late', 'early leave', 'late and early leave', 'absent', 'no sign-out', 'no sign-in'];

export type RollCallFilter = { task_id: number; date?: string; window?: number; present?: number };
export type AttendanceFilter = { task_id: number; start_date: string; end_date: string; lib_id?: number; person_name?: string; status?: number };

export function createReportsService(deps: { tasks: TasksRepo; repo: ReportsRepo; timeZone: string; now?: () => Date }) {
  const { repo, timeZone } = deps;
  const now = deps.now ?? (() => new Date());

  async function taskOf(taskId: number, type: 1 | 3) {
    const task = await deps.tasks.reportContext(taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', `task_id: no task ${taskId}`);
    if (task.type !== type) {
      const what = type === 1 ? 'a roll-call task (type 1)' : 'a sign-in task (type 3)';
      throw new AppError('TASK_TYPE_MISMATCH', `task_id: task ${taskId} is of type ${task.type}; this report needs ${what}`);
    }
    return { ...task, plan: parsePlan(task.plan) };
  }

  const dateField = (text: string, field: string) => {
    const d = parseDate(text);
    if (!d) throw new AppError('INVALID_FIELD', `${field}: must be a date "yyyy-mm-dd"`);
    return d;
  };

  /** the roll-call window asked for: the date's n-th, or the current / last started one */
  function rollCallWindow(plan: Plan, i: RollCallFilter) {
    const date = i.date ? dateField(i.date, 'date') : localDate(now(), timeZone);
    const wins = windowsOn(plan, weekdayOf(date));
    if (!wins.length) throw new AppError('WINDOW_NOT_FOUND', `date: the task's plan has no window on ${date} (${WEEKDAYS[weekdayOf(date)]})`);
    const bounds = wins.map((w) => ({ start: instantAt(date, w.start, timeZone), end: instantAt(date, w.end, timeZone), w }));
    let index: number;
    if (i.window !== undefined) {
      if (i.window > wins.length) throw new AppError('WINDOW_NOT_FOUND', `window: ${date} has ${wins.length} window${wins.length > 1 ? 's' : ''} in the task's plan`);
      index = i.window - 1;
    } else {
      const at = now();
      const started = bounds.filter((b) => b.start <= at);
      if (!started.length) {
        throw new AppError('WINDOW_NOT_FOUND', `window: no window of ${date} has started yet (the first starts at ${minuteText(wins[0].start)}); give window=1..${wins.length}`);
      }
      // the current window (the latest started of those still open), else the last that started
      const open = started.filter((b) => b.end > at);
      index = bounds.indexOf(open.length ? open[open.length - 1] : started[started.length - 1]);
    }
    return { date, index, ...bounds[index] };
  }

  /** the attendance query: the listed working days of the range, up to today */
  async function attendanceQuery(i: AttendanceFilter): Promise<AttendanceQuery & { task: { id: number; name: string } }> {
    const start = dateField(i.start_date, 'start_date');
    const end = dateField(i.end_date, 'end_date');
    if (end < start) throw new AppError('INVALID_FIELD', 'end_date: is before start_date');
    if (addDays(start, MAX_REPORT_DAYS - 1) < end) throw new AppError('INVALID_FIELD', `end_date: at most ${MAX_REPORT_DAYS} days from start_date`);
    const task = await taskOf(i.task_id, 3);
    const today = localDate(now(), timeZone);
    const days: ReportDay[] = [];
    for (let d = start; d <= end && d <= today; d = addDays(d, 1)) {
      if (task.plan === null) {
        days.push({ day: d, start: null, end: null, dayEnd: instantAt(d, 24 * 60, timeZone) });
        continue;
      }
      const wins = windowsOn(task.plan, weekdayOf(d));
      if (!wins.length) continue; // not a working day
      const ws = instantAt(d, wins[0].start, timeZone);
      const we = instantAt(d, Math.max(...wins.map((w) => w.end)), timeZone);
      days.push({ day: d, start: ws, end: we, dayEnd: we });
    }
    return {
      task: { id: task.id, name: task.name }, taskId: task.id, days, hasExitList: task.hasExitList,
      lateGraceMin: task.lateGrace, earlyGraceMin: task.earlyGrace, libId: i.lib_id, personName: i.person_name, status: i.status,
    };
  }

  const rollCallItem = (r: Awaited<ReturnType<ReportsRepo['rollCall']>>['rows'][number]) => ({
    person_id: r.person_id, person_name: r.person_name, lib_id: r.lib_id, lib_name: r.lib_name, card_no: r.card_no, category: r.category,
    present: r.first_time ? 1 : 0, first_time: timeOf(r.first_time, timeZone), camera_id: r.camera_id ?? 0, camera_name: r.camera_name ?? '',
    similarity: r.similarity === null ? 0 : round6(r.similarity), capture_url: r.capture_url ?? '',
  });

  const attendanceItem = (r: Awaited<ReturnType<ReportsRepo['attendance']>>['rows'][number]) => ({
    date: r.day, person_id: r.person_id, person_name: r.person_name, lib_id: r.lib_id, lib_name: r.lib_name, card_no: r.card_no,
    first_in: timeOf(r.first_in, timeZone), last_out: timeOf(r.last_out, timeZone), in_camera_name: r.first_in ? r.in_camera_name : '',
    out_camera_name: r.last_out ? r.out_camera_name : '', status: r.status, late_minutes: r.late_minutes, early_minutes: r.early_minutes,
  });

  async function rollCall(i: RollCallFilter, p: PageInput) {
    const task = await taskOf(i.task_id, 1);
    const w = rollCallWindow(task.plan, i);
    const present = i.present === undefined ? undefined : (i.present as 0 | 1);
    const r = await repo.rollCall({ taskId: task.id, start: w.start, end: w.end, present }, page(p));
    const total = present === undefined ? r.expected : present === 1 ? r.present : r.expected - r.present;
    return {
      task, w, r, total,
      info: {
        task_id: task.id, task_name: task.name, date: w.date, window: w.index + 1, window_start: timeOf(w.start, timeZone),
        window_end: timeOf(w.end, timeZone), expected: r.expected, present_count: r.present, absent_count: r.expected - r.present,
        ...paged(p, total, r.rows.map(rollCallItem)).info,
      },
    };
  }

  return {
    async rollCall(i: RollCallFilter & PageInput) {
      return { info: (await rollCall(i, i)).info };
    },

    async attendance(i: AttendanceFilter & PageInput) {
      const q = await attendanceQuery(i);
      if (!q.days.length) return paged(i, 0, []);
      const { total, rows } = await repo.attendance(q, page(i));
      return paged(i, total, rows.map(attendanceItem));
    },

    async attendanceSummary(i: AttendanceFilter & PageInput) {
      const q = await attendanceQuery(i);
      if (!q.days.length) return paged(i, 0, []);
      const { total, rows } = await repo.attendanceSummary(q, page(i));
      return paged(i, total, rows);
    },

    async exportRollCall(i: RollCallFilter) {
      const first = await rollCall(i, { page_no: 1, page_size: 1 });
      checkExportSize(first.total);
      const all = first.total <= 1 ? first : await rollCall(i, { page_no: 1, page_size: MAX_EXPORT_ROWS });
      const { date, window_start, window_end } = all.info;
      const columns: Array<Column<ReturnType<typeof rollCallItem>>> = [
        ['date', () => date], ['window_start', () => window_start], ['window_end', () => window_end],
        ['person_id', (r) => r.person_id], ['person_name', (r) => r.person_name], ['lib_id', (r) => r.lib_id], ['lib_name', (r) => r.lib_name],
        ['card_no', (r) => r.card_no], ['category', (r) => r.category], ['present', (r) => r.present], ['first_time', (r) => r.first_time],
        ['camera_id', (r) => r.camera_id], ['camera_name', (r) => r.camera_name], ['similarity', (r) => r.similarity], ['capture_url', (r) => r.capture_url],
      ];
      return csvBase64(columns, all.info.items);
    },

    async exportAttendance(i: AttendanceFilter) {
      const q = await attendanceQuery(i);
      const count = q.days.length ? await repo.attendanceCount(q) : 0;
      checkExportSize(count);
      const rows = count ? (await repo.attendance(q, { pageNo: 1, pageSize: MAX_EXPORT_ROWS })).rows.map(attendanceItem) : [];
      const columns: Array<Column<ReturnType<typeof attendanceItem>>> = [
        ['date', (r) => r.date], ['person_id', (r) => r.person_id], ['person_name', (r) => r.person_name], ['lib_id', (r) => r.lib_id],
        ['lib_name', (r) => r.lib_name], ['card_no', (r) => r.card_no], ['first_in', (r) => r.first_in], ['last_out', (r) => r.last_out],
        ['in_camera_name', (r) => r.in_camera_name], ['out_camera_name', (r) => r.out_camera_name], ['status', (r) => r.status],
        ['status_name', (r) => STATUS_NAMES[r.status] ?? ''], ['late_minutes', (r) => r.late_minutes], ['early_minutes', (r) => r.early_minutes],
      ];
      return csvBase64(columns, rows);
    },
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;
