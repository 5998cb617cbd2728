/**
 * POST /ExportRollCall: the filters of /QueryRollCall (no paging) → data: base64 of a UTF-8 CSV (with
 * BOM, English header) of the window's expected persons, absent first; more than 100,000 rows →
 * EXPORT_TOO_LARGE.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { rollCallFilters } from './lib/fields.ts';
import { exportOut } from './lib/outputs.ts';

export const input = z.object(rollCallFilters);
export type Input = z.infer<typeof input>;
export const output = exportOut;
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/ExportRollCall',
  role: 'viewer',
  summary: 'A roll-call session (the /QueryRollCall filters) as a CSV file.',
  input,
  output,
  errors: ['TASK_NOT_FOUND', 'TASK_TYPE_MISMATCH', 'WINDOW_NOT_FOUND', 'EXPORT_TOO_LARGE'],
  example: { input: { task_id: 6, date: '2026-11-23', window: 1 }, output: { data: '77u/cmVjb3JkX2lkLGNhcHR1cmVfdGltZQ0KODgwMDEsMjAyNi0xMS0yMyAwOTo0MDoxMg0K' } },
  handler: (i, { services }) => services.reports.exportRollCall(i),
});
