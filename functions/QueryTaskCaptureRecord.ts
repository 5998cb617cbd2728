/**
 * POST /QueryTaskCaptureRecord: page_no, page_size, task_id?, camera_id?, lib_id?, person_name?
 * (substring), card_no? (exact), classify? (0 stranger, 1 matched), similarity? (>=), start_time?,
 * end_time? ("yyyy-mm-dd hh:mm:ss", inclusive) → info {..., items}, newest capture first.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, recordFilters } from './lib/fields.ts';

export const input = z.object({ ...page, ...recordFilters });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryTaskCaptureRecord',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.records.list(i),
});
