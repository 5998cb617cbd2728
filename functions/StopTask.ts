/**
 * POST /StopTask: the task's desired state becomes stopped (0), sent to the stream nodes at once;
 * its cameras' state in QueryTaskList is 0 from now on. Stopping a stopped task is not an error.
 * Unknown task_id → TASK_NOT_FOUND.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ task_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/StopTask',
  role: 'operator',
  summary: 'Stop a task: its desired state becomes stopped and reaches the stream nodes at once.',
  input,
  errors: ['TASK_NOT_FOUND'],
  example: { input: { task_id: 5 } },
  handler: (i, { services }) => services.tasks.setState(i.task_id, 0),
});
