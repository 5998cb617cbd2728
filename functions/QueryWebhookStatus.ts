/**
 * POST /QueryWebhookStatus → info {enabled, url, events, pending, oldest_pending_time, delivered,
 * dropped, last_success_time, last_error, last_error_time}: how the AlarmWebhook deliveries go.
 * Admins only, like the AlarmWebhook config it reports on (its url and errors name the receiver).
 */

import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { flag, out, timeOut } from './lib/outputs.ts';

export const input = z.object({});
export type Input = z.infer<typeof input>;

const count = z.number().int().nonnegative();
export const output = out({
  info: out({
    enabled: flag, url: z.string().describe('the receiver ("" when no AlarmWebhook is configured)'),
    events: z.array(z.enum(['capture', 'alarm', 'camera'])).describe('the event types sent'),
    pending: count.describe('deliveries waiting'), oldest_pending_time: timeOut, delivered: count, dropped: count.describe('given up after WEBHOOK_GIVE_UP_MS'),
    last_success_time: timeOut, last_error: z.string().describe('the failure class (`HTTP 503`, `connection refused`, ...), never the receiver\'s body'),
    last_error_time: timeOut,
  }),
});
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryWebhookStatus',
  role: 'admin',
  summary: 'How the AlarmWebhook deliveries go: backlog, delivered, given up, the last error.',
  input,
  output,
  errors: [],
  example: {
    input: {},
    output: { info: {
      enabled: 1, url: 'https://hooks.example.com/facewatch', events: ['alarm'], pending: 0, oldest_pending_time: '', delivered: 42, dropped: 0,
      last_success_time: '2026-11-23 09:40:14', last_error: '', last_error_time: '',
    } },
  },
  handler: (_i, { services }) => services.webhook.status(),
});
