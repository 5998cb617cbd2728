/**
 * POST /ExportAttendance: the filters of /QueryAttendance (no paging) → data: base64 of a UTF-8 CSV
 * (with BOM, English header; status as a number and in words) of every listed day and person; more
 * than 100,000 rows → EXPORT_TOO_LARGE.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { attendanceFilters, exportOut } from './lib/fields.ts';

export const input = z.object(attendanceFilters);
export type Input = z.infer<typeof input>;
export const output = exportOut;

export const app = defineFunction({
  uri: '/ExportAttendance',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.reports.exportAttendance(i),
});
