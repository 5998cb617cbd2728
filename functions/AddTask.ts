/** POST /AddTask: name, type?, camera_list1, camera_list2?, lib_list ("1,2"), interval, threshold, plan?, remark? → task_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { flag, graceMinutes, idList, interval, name, plan, remark, similarity, taskType } from './lib/fields.ts';

export const input = z.object({
  name: name(), type: taskType.optional(), camera_list1: idList, camera_list2: idList.optional(), lib_list: idList,
  interval, threshold: similarity, plan: plan.optional(), remark: remark.optional(),
  alarm_stranger: flag.optional(), late_grace: graceMinutes.optional(), early_grace: graceMinutes.optional(),
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/AddTask',
  role: 'operator',
  input,
  handler: (i, { services }) => services.tasks.add(i),
});
