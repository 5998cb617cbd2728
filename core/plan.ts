/**
 * A task's `plan`: when a started task actually runs.
 *
 *   ''  (or absent)  → always on
 *   '{"1": ["08:00-12:00", "13:30-18:00"], "6": ["00:00-24:00"]}'
 *
 * A JSON object whose keys are ISO weekdays "1" (Monday) .. "7" (Sunday) and whose values are lists
 * of "HH:MM-HH:MM" windows in the server's time zone (TIME_ZONE), start inclusive, end exclusive,
 * start < end, end up to "24:00". Days not listed are off. Windows may overlap (they add up). A
 * window does not cross midnight: write "22:00-24:00" on one day and "00:00-06:00" on the next.
 * Used by the API (validation, INVALID_PLAN) and by the scheduler (isPlanActive).
 */
import { AppError } from './errors.ts';
import { wallClock } from './time.ts';

/** minutes since midnight, [start, end) */
export type Window = { start: number; end: number };
/** weekday 1..7 → windows; null = always on */
export type Plan = Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, Window[]>> | null;

const WINDOW = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;
const MAX_WINDOWS_PER_DAY = 48;
const MAX_PLAN_LENGTH = 8192;

const bad = (why: string) => new AppError('INVALID_PLAN', `plan: ${why}`);

function parseWindow(text: unknown, day: string): Window {
  const m = typeof text === 'string' ? WINDOW.exec(text) : null;
  if (!m) throw bad(`day ${day}: ${JSON.stringify(text)} is not "HH:MM-HH:MM"`);
  const [h1, m1, h2, m2] = m.slice(1).map(Number);
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (start >= 24 * 60 || end > 24 * 60) throw bad(`day ${day}: ${text} is outside 00:00-24:00`);
  if (start >= end) throw bad(`day ${day}: ${text} ends before it starts`);
  return { start, end };
}

/** Parses and validates a plan string; throws AppError INVALID_PLAN naming the problem. */
export function parsePlan(text: string | undefined | null): Plan {
  if (text === undefined || text === null || text.trim() === '') return null;
  if (text.length > MAX_PLAN_LENGTH) throw bad(`longer than ${MAX_PLAN_LENGTH} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('is neither empty nor JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('must be a JSON object of weekday → windows');
  const plan: NonNullable<Plan> = {};
  let windows = 0;
  for (const [day, list] of Object.entries(value)) {
    if (!/^[1-7]$/.test(day)) throw bad(`key ${JSON.stringify(day)} is not a weekday "1" (Monday) .. "7" (Sunday)`);
    if (!Array.isArray(list)) throw bad(`day ${day}: must be a list of "HH:MM-HH:MM"`);
    if (list.length > MAX_WINDOWS_PER_DAY) throw bad(`day ${day}: more than ${MAX_WINDOWS_PER_DAY} windows`);
    plan[Number(day) as 1] = list.map((w) => parseWindow(w, day));
    windows += list.length;
  }
  if (windows === 0) throw bad('has no time window (use "" for always on)');
  return plan;
}

/** Is a task with this plan meant to run at `date` (wall clock in `timeZone`)? */
export function isPlanActive(plan: Plan, date: Date, timeZone: string): boolean {
  if (plan === null) return true;
  const w = wallClock(date, timeZone);
  const minute = w.hour * 60 + w.minute;
  return (plan[w.weekday as 1] ?? []).some((win) => minute >= win.start && minute < win.end);
}

/**
 * The windows of `plan` on ISO weekday `weekday`, sorted by start then end: what reports number
 * 1, 2, ... ("the second window of that day"). A plan of null (always on) has one window, the whole
 * day; a day the plan does not list has none.
 */
export function windowsOn(plan: Plan, weekday: number): Window[] {
  if (plan === null) return [{ start: 0, end: 24 * 60 }];
  return [...(plan[weekday as 1] ?? [])].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** "HH:MM" of a minute of the day (24:00 for the end of the day). */
export function minuteText(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
