/**
 * POST /QueryTaskCaptureRecord: page_no, page_size, task_id?, camera_id?, lib_id?, person_name?
 * (substring), card_no? (exact), classify? (0 stranger, 1 matched), similarity? (>=), start_time?,
 * end_time? ("yyyy-mm-dd hh:mm:ss", inclusive) → info {..., items}, newest capture first.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cardNo, id, oneOf, page, similarity, text, time } from './lib/fields.ts';

export const input = z.object({
  ...page, task_id: id.optional(), camera_id: id.optional(), lib_id: id.optional(), person_name: text(128).optional(),
  card_no: cardNo.optional(), classify: oneOf([0, 1]).optional(), similarity: similarity.optional(),
  start_time: time.optional(), end_time: time.optional(),
}).refine((i) => !i.start_time || !i.end_time || i.start_time <= i.end_time, { path: ['end_time'], message: 'is before start_time' });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryTaskCaptureRecord',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.records.list(i),
});
