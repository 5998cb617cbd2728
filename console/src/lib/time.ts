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
