/**
 * The weekly plan editor's model. A task's `plan` (docs/api.md "plan") is "" (always on) or a JSON
 * object of ISO weekday "1".."7" → ["HH:MM-HH:MM", ...]; the server's parser (core/plan.ts) is used
 * here too, so the editor accepts exactly what the server accepts. The editor keeps each day's
 * windows sorted and merged (overlapping or touching windows become one), which the server allows
 * either way but reads more clearly.
 */
import { parsePlan, type Window } from '../../../core/plan.ts';

export type { Window };
export const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export type Day = (typeof DAYS)[number];
export type WeekPlan = { alwaysOn: boolean; days: Record<Day, Window[]> };

const DAY_MINUTES = 24 * 60;
const pad = (n: number) => String(n).padStart(2, '0');

export const emptyDays = (): Record<Day, Window[]> => ({ 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] });

export const formatMinute = (m: number): string => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
export const formatWindow = (w: Window): string => `${formatMinute(w.start)}-${formatMinute(w.end)}`;
/** A day's windows as the text field shows them: "08:00-12:00, 13:30-18:00". */
export const formatDay = (windows: Window[]): string => windows.map(formatWindow).join(', ');

/** Sorted, with overlapping or touching windows merged. */
export function normalize(windows: Window[]): Window[] {
  const sorted = windows.filter((w) => w.end > w.start).map((w) => ({ ...w })).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push(w);
  }
  return out;
}

export class PlanTextError extends Error {}

/**
 * A day's text field → windows. Windows are separated by commas, semicolons, spaces or the Chinese
 * comma; each is "H:MM-HH:MM" (a "～", "~" or "–" works as the dash). Throws PlanTextError naming the
 * bad part.
 */
export function parseDay(text: string): Window[] {
  const parts = text.split(/[,;，；、\s]+/).map((s) => s.trim()).filter(Boolean);
  const out: Window[] = [];
  for (const part of parts) {
    const m = /^(\d{1,2}):(\d{2})\s*[-~～–—]\s*(\d{1,2}):(\d{2})$/.exec(part);
    if (!m) throw new PlanTextError(part);
    const start = Number(m[1]) * 60 + Number(m[2]);
    const end = Number(m[3]) * 60 + Number(m[4]);
    if (Number(m[2]) > 59 || Number(m[4]) > 59 || start >= DAY_MINUTES || end > DAY_MINUTES || start >= end) throw new PlanTextError(part);
    out.push({ start, end });
  }
  return normalize(out);
}

/** A stored plan → the editor's model; a plan the server would refuse throws (AppError INVALID_PLAN). */
export function fromPlanText(text: string | undefined | null): WeekPlan {
  const parsed = parsePlan(text);
  const days = emptyDays();
  if (parsed === null) return { alwaysOn: true, days };
  for (const d of DAYS) days[d] = normalize(parsed[d] ?? []);
  return { alwaysOn: false, days };
}

/**
 * The editor's model → the `plan` string to send: "" when always on; otherwise the JSON object with
 * only the days that have windows. A plan with no window at all is null: the server refuses it
 * ("use '' for always on"), so the editor says so instead of sending it.
 */
export function toPlanText(plan: WeekPlan): string | null {
  if (plan.alwaysOn) return '';
  const out: Record<string, string[]> = {};
  for (const d of DAYS) {
    const windows = normalize(plan.days[d]);
    if (windows.length) out[String(d)] = windows.map(formatWindow);
  }
  return Object.keys(out).length ? JSON.stringify(out) : null;
}

/** Adds a window to a day (merged with what it overlaps). */
export const addWindow = (windows: Window[], w: Window): Window[] => normalize([...windows, w]);

/** Removes the part of a day's windows that `w` covers (a window cut in the middle becomes two). */
export function cutWindow(windows: Window[], w: Window): Window[] {
  const out: Window[] = [];
  for (const x of windows) {
    if (w.end <= x.start || w.start >= x.end) { out.push(x); continue; }
    if (x.start < w.start) out.push({ start: x.start, end: w.start });
    if (x.end > w.end) out.push({ start: w.end, end: x.end });
  }
  return normalize(out);
}

/** A dragged span on the day bar (minutes, any order) snapped to `step` minutes, at least one step long. */
export function snapSpan(a: number, b: number, step = 30): Window {
  const clamp = (m: number) => Math.min(DAY_MINUTES, Math.max(0, m));
  let start = clamp(Math.floor(Math.min(a, b) / step) * step);
  let end = clamp(Math.ceil(Math.max(a, b) / step) * step);
  if (end <= start) end = Math.min(DAY_MINUTES, start + step);
  if (end <= start) start = end - step;
  return { start, end };
}

/** Is minute `m` inside one of the windows? (what a click on the bar toggles) */
export const covers = (windows: Window[], m: number): boolean => windows.some((w) => m >= w.start && m < w.end);

/** Copies one day's windows to other days (e.g. Monday to every working day). */
export function copyDay(plan: WeekPlan, from: Day, to: readonly Day[]): WeekPlan {
  const days = { ...plan.days };
  for (const d of to) days[d] = plan.days[from].map((w) => ({ ...w }));
  return { ...plan, days };
}
