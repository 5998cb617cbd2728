/** Helpers every service uses: paged results, times, id checks, float rounding. */
import { AppError, type ErrorName } from '../../core/errors.ts';
import { formatTime, instantAt, localDate, parseTime } from '../../core/time.ts';

export type PageInput = { page_no: number; page_size: number };
export const page = (i: PageInput) => ({ pageNo: i.page_no, pageSize: i.page_size });

export function paged<T>(i: PageInput, total: number, items: T[]) {
  return { info: { page_no: i.page_no, page_size: i.page_size, total_count: total, items } };
}

export type Clock = { timeZone: string };
export const timeOf = (d: Date | null | undefined, tz: string) => (d ? formatTime(d, tz) : '');

/** real (float4) columns come back as 0.800000011920929: show what was stored, to 6 places */
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Checks every id exists; the first missing one → `kind` naming the field. */
export async function requireExisting(ids: number[], existing: (ids: number[]) => Promise<number[]>, kind: ErrorName, field: string): Promise<void> {
  const found = new Set(await existing(ids));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new AppError(kind, `${field}: ${missing} does not exist`);
}

/** An optional `yyyy-mm-dd hh:mm:ss` filter in `timeZone` ("" = none); INVALID_FIELD naming `field` when malformed. */
export function timeFilter(text: string | undefined, field: string, timeZone: string): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const d = parseTime(text, timeZone);
  if (!d) throw new AppError('INVALID_FIELD', `${field}: must be a time "yyyy-mm-dd hh:mm:ss"`);
  return d;
}

/** start_time / end_time filters, checked in order. */
export function timeRange(i: { start_time?: string; end_time?: string }, timeZone: string): { start?: Date; end?: Date } {
  const start = timeFilter(i.start_time, 'start_time', timeZone);
  const end = timeFilter(i.end_time, 'end_time', timeZone);
  if (start && end && start > end) throw new AppError('INVALID_FIELD', 'end_time: is before start_time');
  return { start, end };
}

/** The local calendar day of `t` in `timeZone` and its bounds [00:00, next 00:00) as instants. */
export function dayOf(t: Date, timeZone: string): { day: string; start: Date; end: Date } {
  const day = localDate(t, timeZone);
  return { day, start: instantAt(day, 0, timeZone), end: instantAt(day, 24 * 60, timeZone) };
}
