/**
 * POST /QueryAlarmList: page_no, page_size, type? (1 blacklisted person, 2 stranger, 3 camera
 * offline, 4 camera back), task_id?, camera_id?, state? (0 new, 1 acknowledged), start_time?,
 * end_time? (on alarm_time, inclusive) → info {..., items}, newest first.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, oneOf, page, time, timesInOrder, timesInOrderIssue } from './lib/fields.ts';
import { idOrZero, idOut, oneOfOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({
  ...page, type: oneOf([1, 2, 3, 4] as const).describe('1 blacklisted person, 2 stranger, 3 camera offline, 4 camera back').optional(),
  task_id: id.optional(), camera_id: id.optional(), state: oneOf([0, 1] as const).describe('0 new, 1 acknowledged').optional(),
  start_time: time.optional(), end_time: time.optional(),
}).refine(timesInOrder, timesInOrderIssue);
export type Input = z.infer<typeof input>;

/** one alarm; what does not apply to its type is 0 / "" (a camera alarm has no record or person) */
export const alarm = out({
  alarm_id: idOut, type: oneOfOut([1, 2, 3, 4]).describe('1 blacklisted person, 2 stranger, 3 camera offline, 4 camera back'),
  state: oneOfOut([0, 1]).describe('0 new, 1 acknowledged'), alarm_time: timeOut, task_id: idOrZero, task_name: z.string(),
  camera_id: idOrZero, camera_name: z.string(), record_id: idOrZero.describe('the capture record that raised it (types 1, 2)'),
  person_id: idOrZero, person_name: z.string(), lib_id: idOrZero, lib_name: z.string(), category: z.number().int(),
  similarity: z.number(), pic_url: z.string(), capture_url: z.string(),
  ack_user: z.string().describe('who acknowledged it ("" while new)'), ack_time: timeOut, ack_remark: z.string(),
});

export const output = paged(alarm);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryAlarmList',
  role: 'viewer',
  summary: 'Alarms (blacklisted person, stranger, camera offline, camera back), newest first, paged.',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20, state: 0 },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      alarm_id: 7, type: 1, state: 0, alarm_time: '2026-11-23 09:40:13', task_id: 5, task_name: 'Front gate', camera_id: 3, camera_name: 'Gate 1',
      record_id: 88001, person_id: 1002, person_name: '李四', lib_id: 2, lib_name: 'Blacklist', category: 1, similarity: 0.8871,
      pic_url: '/pictures/2026/11/20/7c9e6679-7425-40de-944b-e07fc1f90ae7.jpg', capture_url: '/captures/2026-11-23/3/embedded-m1a2b3-17-0.jpg',
      ack_user: '', ack_time: '', ack_remark: '',
    }] } },
  },
  handler: (i, { services }) => services.alarms.list(i),
});
