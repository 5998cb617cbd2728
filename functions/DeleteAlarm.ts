/** POST /DeleteAlarm: alarm_id → the alarm is gone (its pictures too, when nothing else shows them). */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { longId } from './lib/fields.ts';

export const input = z.object({ alarm_id: longId });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteAlarm',
  role: 'operator',
  summary: 'Delete an alarm (its pictures too, when nothing else shows them).',
  input,
  errors: ['ALARM_NOT_FOUND'],
  example: { input: { alarm_id: 7 } },
  handler: (i, { services }) => services.alarms.remove(i.alarm_id),
});
