/**
 * POST /ExportCaptureRecord: the filters of /QueryTaskCaptureRecord (no paging) → data: base64 of a
 * UTF-8 CSV (with BOM, English header) of every matching record, newest capture first; more than
 * 100,000 rows → EXPORT_TOO_LARGE.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { recordFilters, timesInOrder, timesInOrderIssue } from './lib/fields.ts';
import { exportOut } from './lib/outputs.ts';

export const input = z.object(recordFilters).refine(timesInOrder, timesInOrderIssue);
export type Input = z.infer<typeof input>;
export const output = exportOut;
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/ExportCaptureRecord',
  role: 'viewer',
  summary: 'The capture records of the /QueryTaskCaptureRecord filters as a CSV file.',
  input,
  output,
  errors: ['EXPORT_TOO_LARGE'],
  example: { input: { task_id: 5, start_time: '2026-11-23 00:00:00', end_time: '2026-11-23 23:59:59' }, output: { data: '77u/cmVjb3JkX2lkLGNhcHR1cmVfdGltZQ0KODgwMDEsMjAyNi0xMS0yMyAwOTo0MDoxMg0K' } },
  handler: (i, { services }) => services.records.exportCsv(i),
});
