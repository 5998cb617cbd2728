/** POST /DeleteTaskCaptureRecord: record_id; its capture image goes with it. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { longId } from './lib/fields.ts';

export const input = z.object({ record_id: longId });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteTaskCaptureRecord',
  role: 'operator',
  summary: 'Delete a record with its capture image.',
  input,
  errors: ['RECORD_NOT_FOUND'],
  example: { input: { record_id: 88001 } },
  handler: (i, { services }) => services.records.remove(i.record_id),
});
