/** The API's `yyyy-mm-dd hh:mm:ss` times and the browser's date/time inputs. */
const pad = (n: number) => String(n).padStart(2, '0');

/** `<input type="datetime-local">` value ("2024-05-01T08:30" or with seconds) → API time; "" stays "". */
export function fromLocalInput(value: string): string {
  if (!value) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  return m ? `${m[1]} ${m[2]}:${m[3]}:${m[4] ?? '00'}` : '';
}

/** API time → `<input type="datetime-local">` value. */
export function toLocalInput(apiTime: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(apiTime);
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}` : '';
}

/** Midnight of `date` in the browser's zone, as an API time (the server's zone may differ; see README). */
export function startOfDay(date = new Date()): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} 00:00:00`;
}

/** A date of the browser's calendar as `yyyy-mm-dd` (the reports' date fields). */
export const dateText = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
export const today = (): string => dateText(new Date());
/** the first day of this month: where an attendance report starts by default */
export const monthStart = (now = new Date()): string => dateText(new Date(now.getFullYear(), now.getMonth(), 1));

/**
 * A plan window's start and end as HH:MM for a date (`window_start`, `window_end` API times): an end
 * at the next day's midnight is the date's 24:00.
 */
export function windowText(start: string, end: string): string {
  const hm = (t: string) => t.slice(11, 16);
  const endText = end.slice(0, 10) > start.slice(0, 10) && hm(end) === '00:00' ? '24:00' : hm(end);
  return `${hm(start)}–${endText}`;
}
