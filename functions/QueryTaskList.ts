/** POST /QueryTaskList: page_no, page_size, name?, type?, state? → items with name and task_name, camera lists, lib_list. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, taskState, taskType, text } from './lib/fields.ts';

export const input = z.object({ ...page, name: text(128).optional(), type: taskType.optional(), state: taskState.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryTaskList',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.tasks.list(i),
});
