/**
 * POST /AckAlarm: alarm_id, or alarm_ids ("1,2,3"), and remark? → the alarms are acknowledged by the
 * calling user (state 1, ack_user, ack_time, ack_remark). Idempotent: an acknowledged alarm keeps its
 * first acknowledgement. An unknown id refuses the whole call (ALARM_NOT_FOUND) before any change.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { idList, longId, remark } from './lib/fields.ts';

export const input = z.object({ alarm_id: longId.optional(), alarm_ids: idList.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;
export const output = z.object({});

export const app = defineFunction({
  uri: '/AckAlarm',
  role: 'operator',
  input,
  output,
  handler: (i, { services, userId }) => services.alarms.ack(i, userId),
});
