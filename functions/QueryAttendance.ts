/**
 * POST /QueryAttendance: task_id (a sign-in task, type 3), start_date, end_date (yyyy-mm-dd, at most
 * 366 days), page_no, page_size, lib_id?, person_name? (substring of name or pinyin), status? →
 * info {..., items: [{date, person_id, person_name, lib_id, lib_name, card_no, first_in, last_out,
 * in_camera_name, out_camera_name, status, late_minutes, early_minutes}]}, by date then name.
 * status: 0 normal, 1 late, 2 early leave, 3 both, 4 absent, 5 no sign-out, 6 no sign-in.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { attendanceFilters, longId, page, pagedInfo, timeOut } from './lib/fields.ts';

export const input = z.object({ ...page, ...attendanceFilters });
export type Input = z.infer<typeof input>;

export const attendanceItem = z.object({
  date: z.string(), person_id: longId, person_name: z.string(), lib_id: z.number().int(), lib_name: z.string(), card_no: z.string(),
  first_in: timeOut, last_out: timeOut, in_camera_name: z.string(), out_camera_name: z.string(), status: z.number().int(),
  late_minutes: z.number().int(), early_minutes: z.number().int(),
});
export const output = pagedInfo(attendanceItem);

export const app = defineFunction({
  uri: '/QueryAttendance',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.reports.attendance(i),
});
