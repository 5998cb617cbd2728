/**
 * POST /UpdateTask: task_id and any AddTask field. Empty camera_list1 / lib_list mean unchanged
 * (a task needs one of each); camera_list2 "" clears the exit list. Allowed while running.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { flag, graceMinutes, id, idList, interval, name, plan, remark, similarity, taskType } from './lib/fields.ts';

export const input = z.object({
  task_id: id, name: name().optional(), type: taskType.optional(), camera_list1: idList.optional(), camera_list2: idList.optional(),
  lib_list: idList.optional(), interval: interval.optional(), threshold: similarity.optional(), plan: plan.optional(), remark: remark.optional(),
  alarm_stranger: flag.optional(), late_grace: graceMinutes.optional(), early_grace: graceMinutes.optional(),
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateTask',
  role: 'operator',
  input,
  handler: (i, { services }) => services.tasks.update(i),
});
