/** POST /QueryTaskList: page_no, page_size, name?, type?, state? → items with name and task_name, camera lists, lib_list. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, taskState, taskType, text } from './lib/fields.ts';
import { flag, idOut, oneOfOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, name: text(128).optional(), type: taskType.optional(), state: taskState.optional() });
export type Input = z.infer<typeof input>;

const taskCamera = out({ camera_id: idOut, name: z.string(), state: flag.describe('1 while its stream is open for this started task (measured)') });

/** one task of the answer */
export const task = out({
  task_id: idOut, name: z.string(), task_name: z.string().describe('the same as name (the document\'s example calls it task_name)'),
  type: oneOfOut([0, 1, 3]).describe('0 normal, 1 roll call, 3 sign-in'),
  camera_list1: z.array(taskCamera).describe('entrance cameras'), camera_list2: z.array(taskCamera).describe('exit cameras'),
  lib_list: z.array(out({ lib_id: idOut, name: z.string() })),
  interval: z.number().int().describe('ms between analysed frames'), threshold: z.number().describe('a face with similarity >= threshold is that person'),
  state: flag.describe('the desired state: 1 started, 0 stopped'), plan: z.string(), remark: z.string(), create_time: timeOut,
  alarm_stranger: flag.describe('1: a stranger seen by the task raises an alarm'),
  late_grace: z.number().int().nonnegative().describe('sign-in tasks: minutes of grace after the start'),
  early_grace: z.number().int().nonnegative().describe('sign-in tasks: minutes of grace before the end'),
});

export const output = paged(task);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryTaskList',
  role: 'viewer',
  summary: 'Tasks with their cameras (and whether each stream is open) and libraries, newest first, paged.',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20, state: 1 },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      task_id: 5, name: 'Front gate', task_name: 'Front gate', type: 0, camera_list1: [{ camera_id: 3, name: 'Gate 1', state: 1 }], camera_list2: [],
      lib_list: [{ lib_id: 1, name: 'Staff' }], interval: 1000, threshold: 0.8, state: 1, plan: '', remark: '', create_time: '2026-11-23 09:33:00',
      alarm_stranger: 1, late_grace: 0, early_grace: 0,
    }] } },
  },
  handler: (i, { services }) => services.tasks.list(i),
});
