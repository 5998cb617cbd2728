/**
 * POST /AckAlarm: alarm_id, or alarm_ids ("1,2,3"), and remark? → the alarms are acknowledged by the
 * calling user (state 1, ack_user, ack_time, ack_remark). Idempotent: an acknowledged alarm keeps its
 * first acknowledgement. An unknown id refuses the whole call (ALARM_NOT_FOUND) before any change.
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { idList, longId, remark } from './lib/fields.ts';

export const input = z.object({ alarm_id: longId.optional(), alarm_ids: idList('none').optional(), remark: remark.optional() })
  .refine((i) => i.alarm_id !== undefined || !!i.alarm_ids?.length, { path: ['alarm_id'], message: 'is required (or alarm_ids, like "1,2,3")' });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/AckAlarm',
  role: 'operator',
  summary: 'Acknowledge alarms as the calling user (idempotent; an unknown id changes nothing).',
  input,
  errors: ['INVALID_ID_LIST', 'ALARM_NOT_FOUND'],
  example: { input: { alarm_ids: '7,8', remark: 'guard sent' } },
  handler: (i, { services, userId }) => services.alarms.ack(i, userId),
});
