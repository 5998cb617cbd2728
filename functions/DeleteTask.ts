/** POST /DeleteTask: refused while the task is running (TASK_RUNNING): stop it first. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ task_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteTask',
  role: 'operator',
  summary: 'Delete a stopped task.',
  input,
  errors: ['TASK_NOT_FOUND', 'TASK_RUNNING'],
  example: { input: { task_id: 5 } },
  handler: (i, { services }) => services.tasks.remove(i.task_id),
});
