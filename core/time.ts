/**
 * The API's time format, `yyyy-mm-dd hh:mm:ss`, in one configured IANA zone (TIME_ZONE; default the
 * machine's). Shared by the API (create_time, record filters) and the scheduler (plan windows).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export const defaultTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Throws RangeError for a zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number /* 1 Mon .. 7 Sun */ };

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function wallClockByIntl(date: Date, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday] ?? 0,
  };
}

/*
 * Intl's formatToParts costs ~10 us a call and a page of records formats dozens of times, so the
 * zone's UTC offset is cached per 15-minute bucket of UTC time: zones change offset only at instants
 * that fall on such boundaries (offsets and transition times are multiples of 15 minutes), so the
 * offset is constant within a bucket.
 */
const BUCKET_MS = 15 * 60_000;
const offsets = new Map<string, number>();

function offsetAt(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  let off = offsets.get(key);
  if (off === undefined) {
    const start = bucket * BUCKET_MS;
    const w = wallClockByIntl(new Date(start), timeZone);
    off = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - start;
    if (offsets.size >= 4096) offsets.clear();
    offsets.set(key, off);
  }
  return off;
}

/** The wall clock of `date` in `timeZone`. */
export function wallClock(date: Date, timeZone: string): WallClock {
  const ms = date.getTime();
  // Before 1970 some zones had offsets in odd seconds (local mean time): ask Intl directly there.
  if (!(ms >= 0)) return wallClockByIntl(date, timeZone);
  const local = new Date(ms + offsetAt(ms, timeZone));
  return {
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(),
    hour: local.getUTCHours(), minute: local.getUTCMinutes(), second: local.getUTCSeconds(),
    weekday: ((local.getUTCDay() + 6) % 7) + 1,
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-mm-dd hh:mm:ss` of `date` in `timeZone`. */
export function formatTime(date: Date, timeZone: string): string {
  const w = wallClock(date, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

export const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses `yyyy-mm-dd hh:mm:ss` as a wall-clock time in `timeZone`; null when malformed or not a
 * real date. In a DST gap or overlap the earlier instant wins.
 */
export function parseTime(text: string, timeZone: string): Date | null {
  const m = TIME_PATTERN.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(asUtc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  // The zone's offset at that instant, found by formatting; two passes settle DST edges.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(guess), timeZone);
    const shown = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    guess += asUtc - shown;
  }
  return new Date(guess);
}

export const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `yyyy-mm-dd` of `date` in `timeZone` (the local calendar day reports group by). */
export function localDate(date: Date, timeZone: string): string {
  return formatTime(date, timeZone).slice(0, 10);
}

/** Checks a `yyyy-mm-dd` that is a real calendar date; null otherwise. */
export function parseDate(text: string): string | null {
  const m = DATE_PATTERN.exec(text);
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? text : null;
}

/** `day` (yyyy-mm-dd) moved by `n` calendar days. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** ISO weekday of a calendar date: 1 Monday .. 7 Sunday. */
export function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

/**
 * The instant at `minute` minutes after the start of calendar day `day` on the wall clock of
 * `timeZone`; 24:00 is the next day's 00:00. A wall time skipped by a DST change gives the earlier
 * instant, as parseTime does (02:30 on a spring-forward day is taken as 01:30).
 */
export function instantAt(day: string, minute: number, timeZone: string): Date {
  const d = minute >= 24 * 60 ? addDays(day, Math.floor(minute / (24 * 60))) : day;
  const m = minute % (24 * 60);
  const pad2 = (n: number) => String(n).padStart(2, '0');
  return parseTime(`${d} ${pad2(Math.floor(m / 60))}:${pad2(m % 60)}:00`, timeZone)!;
}
