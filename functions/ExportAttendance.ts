/**
 * POST /ExportAttendance: the filters of /QueryAttendance (no paging) → data: base64 of a UTF-8 CSV
 * (with BOM, English header; status as a number and in words) of every listed day and person; more
 * than 100,000 rows → EXPORT_TOO_LARGE.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { attendanceFilters } from './lib/fields.ts';
import { exportOut } from './lib/outputs.ts';

export const input = z.object(attendanceFilters);
export type Input = z.infer<typeof input>;
export const output = exportOut;
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/ExportAttendance',
  role: 'viewer',
  summary: 'Attendance (the /QueryAttendance filters) as a CSV file.',
  input,
  output,
  errors: ['TASK_NOT_FOUND', 'TASK_TYPE_MISMATCH', 'EXPORT_TOO_LARGE'],
  example: { input: { task_id: 7, start_date: '2026-11-01', end_date: '2026-11-30' }, output: { data: '77u/cmVjb3JkX2lkLGNhcHR1cmVfdGltZQ0KODgwMDEsMjAyNi0xMS0yMyAwOTo0MDoxMg0K' } },
  handler: (i, { services }) => services.reports.exportAttendance(i),
});
