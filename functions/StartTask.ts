/**
 * POST /StartTask: the task's desired state becomes running (1) and is sent to the stream nodes at
 * once; they open its cameras within seconds (within its plan windows). Starting a running task is
 * not an error. Unknown task_id → TASK_NOT_FOUND.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ task_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/StartTask',
  role: 'operator',
  summary: 'Start a task: its desired state becomes running and reaches the stream nodes at once.',
  input,
  errors: ['TASK_NOT_FOUND'],
  example: { input: { task_id: 5 } },
  handler: (i, { services }) => services.tasks.setState(i.task_id, 1),
});
