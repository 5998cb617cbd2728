/** POST /AddTask: name, type?, camera_list1, camera_list2?, lib_list ("1,2"), interval, threshold, plan?, remark? → task_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { codedIssue, idList, interval, name, plan, remark, similarity, taskType } from './lib/fields.ts';

export const input = z.object({
  name: name(), type: taskType.optional(), camera_list1: idList('refused'), camera_list2: idList('none').optional(), lib_list: idList('refused'),
  interval, threshold: similarity, plan: plan.optional(), remark: remark.optional(),
}).superRefine((i, ctx) => {
  const both = i.camera_list2?.find((id) => i.camera_list1.includes(id));
  if (both !== undefined) ctx.addIssue(codedIssue('INVALID_ID_LIST', ['camera_list2'], `camera ${both} is also in camera_list1`));
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/AddTask',
  role: 'operator',
  input,
  handler: (i, { services }) => services.tasks.add(i),
});
