/**
 * POST /QueryAttendanceSummary: the filters of /QueryAttendance → per person over those rows: info
 * {..., items: [{person_id, person_name, lib_id, lib_name, card_no, days, days_present, days_late,
 * days_early, days_absent, days_no_sign_out, late_minutes_total, early_minutes_total}]}, by name.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { attendanceFilters, page } from './lib/fields.ts';
import { idOut, out, paged } from './lib/outputs.ts';

export const input = z.object({ ...page, ...attendanceFilters });
export type Input = z.infer<typeof input>;

const count = z.number().int().nonnegative();
/** one person over the rows /QueryAttendance lists for the same filters */
export const person = out({
  person_id: idOut, person_name: z.string(), lib_id: idOut, lib_name: z.string(), card_no: z.string(), days: count,
  days_present: count, days_late: count, days_early: count, days_absent: count, days_no_sign_out: count, late_minutes_total: count,
  early_minutes_total: count,
});

export const output = paged(person);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryAttendanceSummary',
  role: 'viewer',
  summary: "A sign-in task's attendance per person over the dates: days present, late, early, absent and minutes.",
  input,
  output,
  errors: ['TASK_NOT_FOUND', 'TASK_TYPE_MISMATCH'],
  example: {
    input: { task_id: 7, start_date: '2026-11-01', end_date: '2026-11-30', page_no: 1, page_size: 50 },
    output: { info: { page_no: 1, page_size: 50, total_count: 1, items: [{
      person_id: 1001, person_name: '张三', lib_id: 1, lib_name: 'Staff', card_no: '320102199001011234', days: 20, days_present: 19,
      days_late: 2, days_early: 1, days_absent: 1, days_no_sign_out: 0, late_minutes_total: 14, early_minutes_total: 5,
    }] } },
  },
  handler: (i, { services }) => services.reports.attendanceSummary(i),
});
