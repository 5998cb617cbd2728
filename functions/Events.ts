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
  last_event_id: z.string().regex(/^\d{1,15}$/, 'must be an event id (digits)').transform(Number).describe('resume after this event id (or the Last-Event-ID header)').optional(),
  types: text(64).describe('event types to send, comma-separated: capture, alarm, camera (default all)').transform((s, ctx) => {
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
  summary: 'Live events (Server-Sent Events): capture records, alarms and camera changes, resumable by event id.',
  description: [
    'A `GET`, not a `POST`: the session goes in `X-Session`, `Authorization: Bearer` or `?session=` (a browser EventSource cannot send headers).',
    'Refusals before the stream starts answer the usual JSON `{code, msg}`; once it runs, a failure (e.g. the session ended) is an `error` event `{code, msg}` and the stream ends.',
    'The stream starts with `retry: 3000`, sends a `: heartbeat` comment every EVENTS_HEARTBEAT_MS while idle (the session is checked again then),',
    'and every event carries its `id`: reconnecting with `Last-Event-ID` (or `?last_event_id=`) gets exactly the events after it, on any API instance.',
    'An id older than the log keeps starts with a `gap` event. At most EVENTS_MAX_CLIENTS streams per instance.',
  ].join(' '),
  errors: ['EVENT_STREAMS_BUSY'],
  events: {
    capture: {
      description: 'a capture record was written: the record as /QueryTaskCaptureRecord lists it',
      example: {
        record_id: 88001, task_id: 5, task_name: 'Front gate', camera_id: 3, camera_name: 'Gate 1', lib_id: 1, lib_name: 'Staff', person_id: 1001,
        person_name: '张三', sex: 1, category: 0, card_no: '', classify: 1, similarity: 0.9132, pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg',
        capture_url: '/captures/2026-11-23/3/embedded-m1a2b3-17-0.jpg', capture_time: '2026-11-23 09:40:12', create_time: '2026-11-23 09:40:13',
      },
    },
    alarm: {
      description: 'an alarm was raised: the alarm as /QueryAlarmList lists it (a record\'s alarm comes right after its capture)',
      example: {
        alarm_id: 7, type: 3, state: 0, alarm_time: '2026-11-23 09:41:00', task_id: 5, task_name: 'Front gate', camera_id: 3, camera_name: 'Gate 1',
        record_id: 0, person_id: 0, person_name: '', lib_id: 0, lib_name: '', category: 0, similarity: 0, pic_url: '', capture_url: '', ack_user: '', ack_time: '', ack_remark: '',
      },
    },
    camera: { description: "a camera's measured state changed", example: { camera_id: 3, camera_name: 'Gate 1', online: 0, time: '2026-11-23 09:40:30' } },
    gap: { description: 'the Last-Event-ID given is older than the log keeps: what follows starts at first_event_id', example: { last_event_id: 120, first_event_id: 4711 } },
    error: { description: 'the stream ends: why, as {code, msg}', example: { code: 1003, msg: 'session has expired' } },
  },
  input,
  open: (_i, { services }) => services.eventHub.reserve(),
  handler: (i, { services, check }, sink) => services.eventHub.serve(sink, { lastEventId: i.last_event_id, types: i.types, check }),
});
