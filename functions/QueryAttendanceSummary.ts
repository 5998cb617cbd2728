/**
 * POST /QueryAttendanceSummary: the filters of /QueryAttendance → per person over those rows: info
 * {..., items: [{person_id, person_name, lib_id, lib_name, card_no, days, days_present, days_late,
 * days_early, days_absent, days_no_sign_out, late_minutes_total, early_minutes_total}]}, by name.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { attendanceFilters, longId, page, pagedInfo } from './lib/fields.ts';

export const input = z.object({ ...page, ...attendanceFilters });
export type Input = z.infer<typeof input>;

const count = z.number().int();
export const output = pagedInfo(z.object({
  person_id: longId, person_name: z.string(), lib_id: z.number().int(), lib_name: z.string(), card_no: z.string(), days: count,
  days_present: count, days_late: count, days_early: count, days_absent: count, days_no_sign_out: count, late_minutes_total: count,
  early_minutes_total: count,
}));

export const app = defineFunction({
  uri: '/QueryAttendanceSummary',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.reports.attendanceSummary(i),
});
