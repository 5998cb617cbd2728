/** Helpers every service uses: paged results, times, id checks, float rounding. */
import { AppError, type ErrorName } from '../../core/errors.ts';
import { formatTime } from '../../core/time.ts';

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
