/**
 * POST /ExportRollCall: the filters of /QueryRollCall (no paging) → data: base64 of a UTF-8 CSV (with
 * BOM, English header) of the window's expected persons, absent first; more than 100,000 rows →
 * EXPORT_TOO_LARGE.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { exportOut, rollCallFilters } from './lib/fields.ts';

export const input = z.object(rollCallFilters);
export type Input = z.infer<typeof input>;
export const output = exportOut;

export const app = defineFunction({
  uri: '/ExportRollCall',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.reports.exportRollCall(i),
});
