/**
 * POST /QueryRollCall: task_id (a roll-call task, type 1), page_no, page_size, date? (yyyy-mm-dd,
 * default today), window? (1-based among that day's windows of the plan, by start; default the
 * current one, else the last that started), present? (0/1) → info {task_id, task_name, date, window,
 * window_start, window_end, expected, present_count, absent_count, page_no, page_size, total_count,
 * items}, absent persons first, then by name (pinyin order).
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { longId, page, pagedInfo, rollCallFilters, timeOut } from './lib/fields.ts';

export const input = z.object({ ...page, ...rollCallFilters });
export type Input = z.infer<typeof input>;

export const rollCallItem = z.object({
  person_id: longId, person_name: z.string(), lib_id: z.number().int(), lib_name: z.string(), card_no: z.string(), category: z.number().int(),
  present: z.number().int(), first_time: timeOut, camera_id: z.number().int(), camera_name: z.string(), similarity: z.number(), capture_url: z.string(),
});
export const output = pagedInfo(rollCallItem, {
  task_id: z.number().int(), task_name: z.string(), date: z.string(), window: z.number().int(), window_start: timeOut, window_end: timeOut,
  expected: z.number().int(), present_count: z.number().int(), absent_count: z.number().int(),
});

export const app = defineFunction({
  uri: '/QueryRollCall',
  role: 'viewer',
  input,
  output,
  handler: (i, { services }) => services.reports.rollCall(i),
});
