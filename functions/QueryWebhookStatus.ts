/**
 * POST /QueryWebhookStatus → info {enabled, url, events, pending, oldest_pending_time, delivered,
 * dropped, last_success_time, last_error, last_error_time}: how the AlarmWebhook deliveries go.
 * Admins only, like the AlarmWebhook config it reports on (its url and errors name the receiver).
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { timeOut } from './lib/fields.ts';

export const input = z.object({});
export type Input = z.infer<typeof input>;
export const output = z.object({
  info: z.object({
    enabled: z.number().int(), url: z.string(), events: z.array(z.string()), pending: z.number().int(), oldest_pending_time: timeOut,
    delivered: z.number().int(), dropped: z.number().int(), last_success_time: timeOut, last_error: z.string(), last_error_time: timeOut,
  }),
});

export const app = defineFunction({
  uri: '/QueryWebhookStatus',
  role: 'admin',
  input,
  output,
  handler: (_i, { services }) => services.webhook.status(),
});
