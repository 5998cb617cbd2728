/**
 * GET /Events: Server-Sent Events of `capture`, `alarm` and `camera` events, each with its id, the
 * data in the shapes of /QueryTaskCaptureRecord, /QueryAlarmList and {camera_id, camera_name,
 * online, time}. Session in `X-Session` (or `Authorization: Bearer`, or `?session=`); optional
 * `types=alarm,camera`; `Last-Event-ID` (header, or `?last_event_id=`) resumes after that id.
 * Heartbeat comments every EVENTS_HEARTBEAT_MS. Decisions: docs/api.md "Live events".
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../db/repositories/events.ts';
import { defineEventStream } from './lib/stream.ts';
import { text } from './lib/fields.ts';

export const input = z.object({
  last_event_id: z.string().regex(/^\d{1,15}$/, 'must be an event id (digits)').transform(Number).optional(),
  types: text(64).transform((s, ctx) => {
    const list = s.split(',').map((t) => t.trim()).filter(Boolean);
    const bad = list.find((t) => !EVENT_TYPES.includes(t as EventType));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${bad.slice(0, 20)}" is not one of ${EVENT_TYPES.join(', ')}` });
      return z.NEVER;
    }
    return list.length ? new Set(list as EventType[]) : undefined;
  }).optional(),
});
export type Input = z.infer<typeof input>;

export const app = defineEventStream({
  uri: '/Events',
  role: 'viewer',
  input,
  open: (_i, { services }) => services.eventHub.reserve(),
  handler: (i, { services, check }, sink) => services.eventHub.serve(sink, { lastEventId: i.last_event_id, types: i.types, check }),
});
