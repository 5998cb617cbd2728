/**
 * POST /QueryAlarmList: page_no, page_size, type? (1 blacklisted person, 2 stranger, 3 camera
 * offline, 4 camera back), task_id?, camera_id?, state? (0 new, 1 acknowledged), start_time?,
 * end_time? (on alarm_time, inclusive) → info {..., items}, newest first.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, longId, oneOf, page, pagedInfo, text, timeOut } from './lib/fields.ts';

export const input = z.object({
  ...page, type: oneOf([1, 2, 3, 4] as const).optional(), task_id: id.optional(), camera_id: id.optional(),
  state: oneOf([0, 1] as const).optional(), start_time: text(19).optional(), end_time: text(19).optional(),
});
export type Input = z.infer<typeof input>;

export const alarmItem = z.object({
  alarm_id: longId, type: z.number().int(), state: z.number().int(), alarm_time: timeOut, task_id: z.number().int(), task_name: z.string(),
  camera_id: z.number().int(), camera_name: z.string(), record_id: z.number().int(), person_id: z.number().int(), person_name: z.string(),
  lib_id: z.number().int(), lib_name: z.string(), category: z.number().int(), similarity: z.number(), pic_url: z.string(),
  capture_url: z.string(), ack_user: z.string(), ack_time: timeOut, ack_remark: z.string(),
});
export const output = pagedInfo(alarmItem);

export const app = defineFunction({
  uri: '/QueryAlarmList',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.alarms.list(i),
});
