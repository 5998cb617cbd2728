/**
 * The roll-call and attendance reports: what the task's persons did in a window or on working days.
 * Expected persons are those of the task's libraries now, enrolled before the window (or day)
 * ended. Roll call reads the window's records (capture_records_task_idx); attendance reads
 * attendance_days (db/repositories/attendance.ts), never the records themselves.
 *
 * Windows and days come in as instants computed by the service in TIME_ZONE (one JSON parameter,
 * opened with jsonb_to_recordset), so no zone arithmetic happens in SQL.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { attendanceDays, captureRecords, libraries, persons, taskLibraries } from '../schema.ts';
import { containsPattern, offsetOf, rowsOf, type Page } from './util.ts';

export type RollCallRow = {
  person_id: number; person_name: string; lib_id: number; lib_name: string; card_no: string; category: number;
  first_time: Date | null; camera_id: number | null; camera_name: string | null; similarity: number | null; capture_url: string | null;
};

/** A listed day: its date, and the working day's start and end (null: no plan) and the date's end. */
export type ReportDay = { day: string; start: Date | null; end: Date | null; dayEnd: Date };

export type AttendanceQuery = {
  taskId: number; days: ReportDay[]; hasExitList: boolean; lateGraceMin: number; earlyGraceMin: number;
  libId?: number; personName?: string; status?: number;
};

export type AttendanceRow = {
  day: string; person_id: number; person_name: string; lib_id: number; lib_name: string; card_no: string;
  first_in: Date | null; last_out: Date | null; in_camera_name: string; out_camera_name: string;
  status: number; late_minutes: number; early_minutes: number;
};

export type AttendanceSummaryRow = {
  person_id: number; person_name: string; lib_id: number; lib_name: string; card_no: string;
  days: number; days_present: number; days_late: number; days_early: number; days_absent: number; days_no_sign_out: number;
  late_minutes_total: number; early_minutes_total: number;
};

/** Attendance status (docs/api.md): 0 normal, 1 late, 2 early leave, 3 both, 4 absent, 5 no sign-out, 6 no sign-in. */
export const AttendanceStatus = { normal: 0, late: 1, early: 2, lateAndEarly: 3, absent: 4, noSignOut: 5, noSignIn: 6 } as const;

const num = (v: unknown) => (v === null || v === undefined ? v : Number(v));

export function createReportsRepo(orm: Orm) {
  /** persons of the task's libraries, with their library's name, narrowed by the optional filters */
  const expected = (taskId: number, f: { libId?: number; personName?: string }) => sql`
    select p.id, p.name, p.pinyin, p.lib_id, l.name as lib_name, p.card_no, p.category, p.create_time
    from ${persons} p join ${libraries} l on l.id = p.lib_id
    where p.lib_id in (select ${taskLibraries.libId} from ${taskLibraries} where ${taskLibraries.taskId} = ${taskId})
      ${f.libId !== undefined ? sql`and p.lib_id = ${f.libId}` : sql``}
      ${f.personName ? sql`and (p.name ilike ${containsPattern(f.personName)} or p.pinyin ilike ${containsPattern(f.personName)})` : sql``}`;

  /**
   * The listed (day, person) rows of an attendance query with their status. With `page` (and no
   * status filter) the grid of days x persons is paged first — its order needs no attendance data —
   * so only the page's rows are joined and judged; otherwise every row is (status filter, summary).
   */
  function attendanceRows(q: AttendanceQuery, page?: Page): SQL {
    // the graces applied here, once a day, not once a row: wl = latest on-time arrival, ee = earliest on-time leave
    const minute = 60_000;
    const days = JSON.stringify(q.days.map((d) => ({
      day: d.day, ws: d.start, we: d.end, de: d.dayEnd,
      wl: d.start && new Date(d.start.getTime() + q.lateGraceMin * minute), ee: d.end && new Date(d.end.getTime() - q.earlyGraceMin * minute),
    })));
    const out = q.hasExitList ? sql`a.last_out` : sql`a.last_any`;
    const first = q.days[0]?.day ?? '1970-01-01';
    const last = q.days[q.days.length - 1]?.day ?? '1970-01-01';
    return sql`
      with days as (select * from jsonb_to_recordset(${days}::jsonb) as d(day date, ws timestamptz, we timestamptz, de timestamptz, wl timestamptz, ee timestamptz)),
      ppl as (${expected(q.taskId, q)}),
      cells as (
        select d.day, d.ws, d.we, d.wl, d.ee, p.id as person_id, p.name as person_name, p.pinyin, p.lib_id, p.lib_name, p.card_no
          ${page ? sql`, count(*) over () as total` : sql``}
        from days d join ppl p on p.create_time < d.de
        ${page ? sql`order by d.day, lower(p.pinyin), p.name, p.id limit ${page.pageSize} offset ${offsetOf(page)}` : sql``}
      ),
      grid as (
        select c.*, a.first_in, a.in_camera_name,
          -- a sign-out is a capture after the sign-in (without an exit list: any later capture)
          case when a.first_in is null then ${out} when ${out} > a.first_in then ${out} end as last_out,
          case when a.first_in is null then a.out_camera_name when ${out} > a.first_in then ${q.hasExitList ? sql`a.out_camera_name` : sql`a.any_camera_name`} end as out_camera_name
        from cells c
        left join ${attendanceDays} a on a.task_id = ${q.taskId} and a.day = c.day and a.person_id = c.person_id
          and a.day >= ${first}::date and a.day <= ${last}::date
      ),
      timed as (
        select g.*,
          case when g.first_in > g.wl then ceil(extract(epoch from g.first_in - g.ws) / 60)::int else 0 end as late_minutes,
          case when g.first_in is not null and g.last_out < g.ee then ceil(extract(epoch from g.we - g.last_out) / 60)::int else 0 end as early_minutes
        from grid g
      )
      select t.*,
        case when t.first_in is null and t.last_out is null then 4
             when t.first_in is null then 6
             when t.last_out is null then 5
             when t.late_minutes > 0 and t.early_minutes > 0 then 3
             when t.late_minutes > 0 then 1
             when t.early_minutes > 0 then 2
             else 0 end as status
      from timed t`;
  }

  const statusFilter = (status: number | undefined) => (status === undefined ? sql`` : sql`where r.status = ${status}`);

  return {
    /**
     * The persons expected in a roll-call window, absent first then by name (pinyin order), with
     * their first capture in the window; `present` filters. Counts are over all expected persons.
     */
    async rollCall(q: { taskId: number; start: Date; end: Date; present?: 0 | 1 }, page: Page) {
      const r = captureRecords;
      const res = await orm.execute(sql`
        with seen as (
          select distinct on (${r.personId}) ${r.personId} as person_id, ${r.captureTime} as first_time, ${r.cameraId} as camera_id,
            ${r.cameraName} as camera_name, ${r.similarity} as similarity, ${r.captureUrl} as capture_url
          from ${r}
          where ${r.taskId} = ${q.taskId} and ${r.classify} = 1 and ${r.captureTime} >= ${q.start.toISOString()}::timestamptz
            and ${r.captureTime} < ${q.end.toISOString()}::timestamptz and ${r.personId} is not null
          order by ${r.personId}, ${r.captureTime}, ${r.id}
        ),
        ppl as (${expected(q.taskId, {})}),
        rows as (
          select p.id as person_id, p.name as person_name, p.pinyin, p.lib_id, p.lib_name, p.card_no, p.category,
            s.first_time, s.camera_id, s.camera_name, s.similarity, s.capture_url, s.person_id is not null as present,
            count(*) over () as expected, count(s.person_id) over () as present_count
          from ppl p left join seen s on s.person_id = p.id
          where p.create_time < ${q.end.toISOString()}::timestamptz
        )
        select * from rows
        ${q.present === undefined ? sql`` : sql`where present = ${q.present === 1}`}
        order by present, lower(pinyin), person_name, person_id
        limit ${page.pageSize} offset ${offsetOf(page)}`);
      const rows = rowsOf<Record<string, unknown>>(res);
      let counts: { expected: number; present: number };
      if (rows.length) counts = { expected: Number(rows[0].expected), present: Number(rows[0].present_count) };
      else {
        // a page past the end: the counts on their own
        const [c] = rowsOf<Record<string, unknown>>(await orm.execute(sql`
          with ppl as (${expected(q.taskId, {})})
          select count(*) as expected, count(*) filter (where exists (
            select 1 from ${r} where ${r.personId} = ppl.id and ${r.taskId} = ${q.taskId} and ${r.classify} = 1
              and ${r.captureTime} >= ${q.start.toISOString()}::timestamptz and ${r.captureTime} < ${q.end.toISOString()}::timestamptz)) as present
          from ppl where ppl.create_time < ${q.end.toISOString()}::timestamptz`));
        counts = { expected: Number(c.expected), present: Number(c.present) };
      }
      return {
        ...counts,
        rows: rows.map((x) => ({
          person_id: Number(x.person_id), person_name: x.person_name, lib_id: Number(x.lib_id), lib_name: x.lib_name, card_no: x.card_no,
          category: Number(x.category), first_time: x.first_time ? new Date(x.first_time as string) : null, camera_id: num(x.camera_id),
          camera_name: x.camera_name, similarity: num(x.similarity), capture_url: x.capture_url,
        }) as RollCallRow),
      };
    },

    /** A page of (day, person) rows, by day then name (pinyin order), and the total. */
    async attendance(q: AttendanceQuery, page: Page): Promise<{ total: number; rows: AttendanceRow[] }> {
      const pageFirst = q.status === undefined;
      const res = await orm.execute(sql`
        select r.day::text as day, r.person_id, r.person_name, r.lib_id, r.lib_name, r.card_no, r.first_in, r.last_out,
          coalesce(r.in_camera_name, '') as in_camera_name, coalesce(r.out_camera_name, '') as out_camera_name, r.status, r.late_minutes,
          r.early_minutes, ${pageFirst ? sql`r.total` : sql`count(*) over () as total`}
        from (${attendanceRows(q, pageFirst ? page : undefined)}) r ${statusFilter(q.status)}
        order by r.day, lower(r.pinyin), r.person_name, r.person_id
        ${pageFirst ? sql`` : sql`limit ${page.pageSize} offset ${offsetOf(page)}`}`);
      const rows = rowsOf<Record<string, unknown>>(res);
      const total = rows.length ? Number(rows[0].total) : await this.attendanceCount(q);
      return { total, rows: rows.map(attendanceRow) };
    },

    async attendanceCount(q: AttendanceQuery): Promise<number> {
      const [c] = rowsOf<{ n: unknown }>(await orm.execute(sql`select count(*) as n from (${attendanceRows(q)}) r ${statusFilter(q.status)}`));
      return Number(c.n);
    },

    /** Every row of an attendance query in report order, `limit` at most (exports). */
    async attendanceAll(q: AttendanceQuery, limit: number): Promise<AttendanceRow[]> {
      return (await this.attendance(q, { pageNo: 1, pageSize: limit })).rows;
    },

    /** Per person over the query's days: counts and minute totals, by name (pinyin order). */
    async attendanceSummary(q: AttendanceQuery, page: Page): Promise<{ total: number; rows: AttendanceSummaryRow[] }> {
      // counted per person id, then the page's names joined: no text is aggregated
      const res = await orm.execute(sql`
        with per as (
          select r.person_id, count(*) as days, count(*) filter (where r.status <> 4) as days_present,
            count(*) filter (where r.late_minutes > 0) as days_late, count(*) filter (where r.early_minutes > 0) as days_early,
            count(*) filter (where r.status = 4) as days_absent, count(*) filter (where r.status = 5) as days_no_sign_out,
            coalesce(sum(r.late_minutes), 0) as late_minutes_total, coalesce(sum(r.early_minutes), 0) as early_minutes_total
          from (${attendanceRows(q)}) r ${statusFilter(q.status)}
          group by r.person_id
        )
        select per.*, p.name as person_name, p.lib_id, l.name as lib_name, p.card_no, count(*) over () as total
        from per join ${persons} p on p.id = per.person_id join ${libraries} l on l.id = p.lib_id
        order by lower(p.pinyin), p.name, p.id
        limit ${page.pageSize} offset ${offsetOf(page)}`);
      const rows = rowsOf<Record<string, unknown>>(res);
      let total: number;
      if (rows.length) total = Number(rows[0].total);
      else {
        const [c] = rowsOf<{ n: unknown }>(await orm.execute(sql`select count(distinct r.person_id) as n from (${attendanceRows(q)}) r ${statusFilter(q.status)}`));
        total = Number(c.n);
      }
      const n = (k: string, x: Record<string, unknown>) => Number(x[k]);
      return {
        total,
        rows: rows.map((x) => ({
          person_id: n('person_id', x), person_name: String(x.person_name), lib_id: n('lib_id', x), lib_name: String(x.lib_name), card_no: String(x.card_no),
          days: n('days', x), days_present: n('days_present', x), days_late: n('days_late', x), days_early: n('days_early', x),
          days_absent: n('days_absent', x), days_no_sign_out: n('days_no_sign_out', x), late_minutes_total: n('late_minutes_total', x),
          early_minutes_total: n('early_minutes_total', x),
        })),
      };
    },
  };
}
export type ReportsRepo = ReturnType<typeof createReportsRepo>;

function attendanceRow(x: Record<string, unknown>): AttendanceRow {
  const time = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    day: String(x.day), person_id: Number(x.person_id), person_name: String(x.person_name), lib_id: Number(x.lib_id), lib_name: String(x.lib_name),
    card_no: String(x.card_no), first_in: time(x.first_in), last_out: time(x.last_out), in_camera_name: String(x.in_camera_name),
    out_camera_name: String(x.out_camera_name), status: Number(x.status), late_minutes: Number(x.late_minutes), early_minutes: Number(x.early_minutes),
  };
}
