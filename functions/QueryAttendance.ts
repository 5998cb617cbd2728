/**
 * POST /QueryAttendance: task_id (a sign-in task, type 3), start_date, end_date (yyyy-mm-dd, at most
 * 366 days), page_no, page_size, lib_id?, person_name? (substring of name or pinyin), status? →
 * info {..., items: [{date, person_id, person_name, lib_id, lib_name, card_no, first_in, last_out,
 * in_camera_name, out_camera_name, status, late_minutes, early_minutes}]}, by date then name.
 * status: 0 normal, 1 late, 2 early leave, 3 both, 4 absent, 5 no sign-out, 6 no sign-in.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { attendanceFilters, page } from './lib/fields.ts';
import { idOut, oneOfOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, ...attendanceFilters });
export type Input = z.infer<typeof input>;

/** one person on one working day */
export const day = out({
  date: z.string().describe('yyyy-mm-dd'), person_id: idOut, person_name: z.string(), lib_id: idOut, lib_name: z.string(), card_no: z.string(),
  first_in: timeOut, last_out: timeOut, in_camera_name: z.string(), out_camera_name: z.string(),
  status: oneOfOut([0, 1, 2, 3, 4, 5, 6]).describe('0 normal, 1 late, 2 early leave, 3 both, 4 absent, 5 no sign-out, 6 no sign-in'),
  late_minutes: z.number().int().nonnegative(), early_minutes: z.number().int().nonnegative(),
});

export const output = paged(day);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryAttendance',
  role: 'viewer',
  summary: "A sign-in task's attendance: per working day and person, first in, last out and the status.",
  input,
  output,
  errors: ['TASK_NOT_FOUND', 'TASK_TYPE_MISMATCH'],
  example: {
    input: { task_id: 7, start_date: '2026-11-23', end_date: '2026-11-27', page_no: 1, page_size: 50 },
    output: { info: { page_no: 1, page_size: 50, total_count: 1, items: [{
      date: '2026-11-23', person_id: 1001, person_name: '张三', lib_id: 1, lib_name: 'Staff', card_no: '320102199001011234',
      first_in: '2026-11-23 09:07:41', last_out: '2026-11-23 18:02:10', in_camera_name: 'Gate 1', out_camera_name: 'Gate 2', status: 1,
      late_minutes: 8, early_minutes: 0,
    }] } },
  },
  handler: (i, { services }) => services.reports.attendance(i),
});
