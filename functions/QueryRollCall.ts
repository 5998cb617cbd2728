/**
 * POST /QueryRollCall: task_id (a roll-call task, type 1), page_no, page_size, date? (yyyy-mm-dd,
 * default today), window? (1-based among that day's windows of the plan, by start; default the
 * current one, else the last that started), present? (0/1) → info {task_id, task_name, date, window,
 * window_start, window_end, expected, present_count, absent_count, page_no, page_size, total_count,
 * items}, absent persons first, then by name (pinyin order).
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, rollCallFilters } from './lib/fields.ts';
import { flag, idOrZero, idOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, ...rollCallFilters });
export type Input = z.infer<typeof input>;

/** one expected person; first_time, camera_*, similarity, capture_url: of the first matched record in the window */
export const person = out({
  person_id: idOut, person_name: z.string(), lib_id: idOut, lib_name: z.string(), card_no: z.string(), category: z.number().int(),
  present: flag.describe('1 seen in the window, 0 absent'), first_time: timeOut, camera_id: idOrZero, camera_name: z.string(),
  similarity: z.number(), capture_url: z.string(),
});

export const output = paged(person, {
  task_id: idOut, task_name: z.string(), date: z.string().describe('yyyy-mm-dd'), window: z.number().int().positive().describe("1-based among the date's windows"),
  window_start: timeOut, window_end: timeOut, expected: z.number().int().nonnegative(), present_count: z.number().int().nonnegative(),
  absent_count: z.number().int().nonnegative(),
});
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryRollCall',
  role: 'viewer',
  summary: "A roll-call task's session (one window of its plan on a date): who was seen, who is absent.",
  input,
  output,
  errors: ['TASK_NOT_FOUND', 'TASK_TYPE_MISMATCH', 'WINDOW_NOT_FOUND'],
  example: {
    input: { task_id: 6, page_no: 1, page_size: 50, date: '2026-11-23', window: 1 },
    output: { info: {
      task_id: 6, task_name: 'Morning roll call', date: '2026-11-23', window: 1, window_start: '2026-11-23 08:00:00', window_end: '2026-11-23 08:30:00',
      expected: 2, present_count: 1, absent_count: 1, page_no: 1, page_size: 50, total_count: 2,
      items: [
        { person_id: 1003, person_name: '王五', lib_id: 1, lib_name: 'Staff', card_no: '', category: 0, present: 0, first_time: '', camera_id: 0, camera_name: '', similarity: 0, capture_url: '' },
        {
          person_id: 1001, person_name: '张三', lib_id: 1, lib_name: 'Staff', card_no: '320102199001011234', category: 0, present: 1,
          first_time: '2026-11-23 08:03:12', camera_id: 3, camera_name: 'Gate 1', similarity: 0.9132, capture_url: '/captures/2026-11-23/3/embedded-m1a2b3-17-0.jpg',
        },
      ],
    } },
  },
  handler: (i, { services }) => services.reports.rollCall(i),
});
