/**
 * POST /ExportCaptureRecord: the filters of /QueryTaskCaptureRecord (no paging) → data: base64 of a
 * UTF-8 CSV (with BOM, English header) of every matching record, newest capture first; more than
 * 100,000 rows → EXPORT_TOO_LARGE.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { exportOut, recordFilters } from './lib/fields.ts';

export const input = z.object(recordFilters);
export type Input = z.infer<typeof input>;
export const output = exportOut;

export const app = defineFunction({
  uri: '/ExportCaptureRecord',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.records.exportCsv(i),
});
