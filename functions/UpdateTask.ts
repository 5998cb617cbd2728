/**
 * POST /UpdateTask: task_id and any AddTask field. Empty camera_list1 / lib_list mean unchanged
 * (a task needs one of each); camera_list2 "" clears the exit list. Allowed while running. A list
 * that overlaps the other one as stored is refused by the service (it needs the stored task).
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { codedIssue, id, idList, interval, name, plan, remark, similarity, taskAlarmFields, taskType } from './lib/fields.ts';

export const input = z.object({
  task_id: id, name: name().optional(), type: taskType.optional(), camera_list1: idList('unchanged').optional(), camera_list2: idList('none').optional(),
  lib_list: idList('unchanged').optional(), interval: interval.optional(), threshold: similarity.optional(), plan: plan.optional(), remark: remark.optional(),
  ...taskAlarmFields,
}).superRefine((i, ctx) => {
  const both = i.camera_list1 && i.camera_list2?.find((id) => i.camera_list1!.includes(id));
  if (both) ctx.addIssue(codedIssue('INVALID_ID_LIST', ['camera_list2'], `camera ${both} is also in camera_list1`));
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateTask',
  role: 'operator',
  summary: "Change a task's fields, also while it runs (the stream nodes follow at once).",
  input,
  errors: ['TASK_NOT_FOUND', 'INVALID_ID_LIST', 'INVALID_PLAN', 'CAMERA_NOT_FOUND', 'LIBRARY_NOT_FOUND'],
  example: { input: { task_id: 5, threshold: 0.75, camera_list1: '', lib_list: '' } },
  handler: (i, { services }) => services.tasks.update(i),
});
