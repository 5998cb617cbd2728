/**
 * POST /QueryTaskCaptureRecord: page_no, page_size, task_id?, camera_id?, lib_id?, person_name?
 * (substring), card_no? (exact), classify? (0 stranger, 1 matched), similarity? (>=), start_time?,
 * end_time? ("yyyy-mm-dd hh:mm:ss", inclusive) → info {..., items}, newest capture first.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, recordFilters, timesInOrder, timesInOrderIssue } from './lib/fields.ts';
import { flag, idOrZero, idOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, ...recordFilters }).refine(timesInOrder, timesInOrderIssue);
export type Input = z.infer<typeof input>;

/** one record of the answer; a stranger's person fields are 0 / "" */
export const record = out({
  record_id: idOut, task_id: idOut, task_name: z.string(), camera_id: idOut, camera_name: z.string(),
  lib_id: idOrZero, lib_name: z.string(), person_id: idOrZero, person_name: z.string(), sex: z.number().int(), category: z.number().int(),
  card_no: z.string(), classify: flag.describe('1 matched a person, 0 stranger'),
  similarity: z.number().describe('the best similarity found, on the /Compare1V1 scale'),
  pic_url: z.string().describe("the matched person's library photo (\"\" for a stranger)"),
  capture_url: z.string().describe('the face crop taken from the camera ("" when its image was lost)'),
  capture_time: timeOut, create_time: timeOut,
});

export const output = paged(record);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryTaskCaptureRecord',
  role: 'viewer',
  summary: 'Capture records, newest capture first, paged.',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20, task_id: 5, classify: 1, start_time: '2026-11-23 00:00:00', end_time: '2026-11-23 23:59:59' },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      record_id: 88001, task_id: 5, task_name: 'Front gate', camera_id: 3, camera_name: 'Gate 1', lib_id: 1, lib_name: 'Staff', person_id: 1001,
      person_name: '张三', sex: 1, category: 0, card_no: '320102199001011234', classify: 1, similarity: 0.9132,
      pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg', capture_url: '/captures/2026-11-23/3/embedded-m1a2b3-17-0.jpg',
      capture_time: '2026-11-23 09:40:12', create_time: '2026-11-23 09:40:13',
    }] } },
  },
  handler: (i, { services }) => services.records.list(i),
});
