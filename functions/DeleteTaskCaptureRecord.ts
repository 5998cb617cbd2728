/** POST /DeleteTaskCaptureRecord: record_id; its capture image goes with it. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { longId } from './lib/fields.ts';

export const input = z.object({ record_id: longId });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteTaskCaptureRecord',
  role: 'operator',
  input,
  handler: (i, { services }) => services.records.remove(i.record_id),
});
