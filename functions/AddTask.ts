/**
 * POST /AddTask: name, type?, camera_list1, camera_list2?, lib_list ("1,2"), interval, threshold, plan?, remark?,
 * alarm_stranger?, late_grace?, early_grace? → task_id.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { codedIssue, idList, interval, name, plan, remark, similarity, taskAlarmFields, taskType } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({
  name: name(), type: taskType.optional(), camera_list1: idList('refused'), camera_list2: idList('none').optional(), lib_list: idList('refused'),
  interval, threshold: similarity, plan: plan.optional(), remark: remark.optional(),
  ...taskAlarmFields,
}).superRefine((i, ctx) => {
  const both = i.camera_list2?.find((id) => i.camera_list1.includes(id));
  if (both !== undefined) ctx.addIssue(codedIssue('INVALID_ID_LIST', ['camera_list2'], `camera ${both} is also in camera_list1`));
});
export type Input = z.infer<typeof input>;

export const output = out({ task_id: idOut });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/AddTask',
  role: 'operator',
  summary: 'Create a task: which cameras are matched against which libraries, how often, from what similarity, on what plan.',
  input,
  output,
  errors: ['INVALID_ID_LIST', 'INVALID_PLAN', 'CAMERA_NOT_FOUND', 'LIBRARY_NOT_FOUND'],
  example: { input: { name: 'Front gate', type: 0, camera_list1: '3', camera_list2: '', lib_list: '1,2', interval: 1000, threshold: 0.8, plan: '{"1":["08:00-18:00"],"2":["08:00-18:00"]}', remark: '', alarm_stranger: 1 }, output: { task_id: 5 } },
  handler: (i, { services }) => services.tasks.add(i),
});
