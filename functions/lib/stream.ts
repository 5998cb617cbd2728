/**
 * The factory of the one GET URI, the live event stream (`GET /Events`, Server-Sent Events): the
 * same plumbing as defineFunction — request id and logger from buildApp, the session (here from
 * `X-Session`, `Authorization: Bearer` or `?session=`, since a browser's EventSource cannot send a
 * body) checked for the declared role, zod on the query — then the handler writes events until the
 * client goes. Failures before the stream starts answer the usual JSON {code, msg} (an EventSource
 * then gives up instead of reconnecting); failures once it runs end it with an `error` event
 * carrying {code, msg}.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { z } from 'zod';
import type { ErrorName } from '../../core/errors.ts';
import type { EventSink } from '../services/eventHub.ts';
import { callerOf, type FunctionContext, type HostEnv, type Mountable, type Role } from './define.ts';
import { clientAddress } from './guard.ts';
import { errorEnvelope, invalidField, sessionOf } from './http.ts';

export type StreamContext = FunctionContext & {
  /** the session check again (the stream outlives the request): throws once the session ended */
  check(): Promise<void>;
};

/** What the API description says of a stream (functions/lib/openapi.ts), beside its query schema. */
export type StreamDescription = {
  /** one line for the API reference */
  summary: string;
  /** the rules a client needs (English, markdown) */
  description: string;
  /** the codes it can answer before the stream starts (or in an `error` event), beyond the session's and the query's */
  errors: readonly ErrorName[];
  /** the events it sends: type → the `data` of one, for the reference */
  events: Record<string, { description: string; example: Record<string, unknown> }>;
};

export type StreamDefinition<S extends z.ZodType> = StreamDescription & {
  uri: `/${string}`;
  role: Role;
  /** the query parameters (and `last_event_id`, taken from the Last-Event-ID header when sent) */
  input: S;
  /** before the stream starts: may refuse (e.g. too many streams); returns what to release after */
  open?: (input: z.output<S>, ctx: StreamContext) => (() => void) | void;
  handler: (input: z.output<S>, ctx: StreamContext, sink: EventSink) => Promise<void>;
};

export type ApiStream = Mountable & Readonly<StreamDescription> & { readonly method: 'GET'; readonly input: z.ZodType };

/** the codes every stream can answer: the session's (and the role's), the query's, the envelope's */
export function streamErrors(def: { role: Role; errors: readonly ErrorName[] }): ErrorName[] {
  return [...new Set<ErrorName>([
    ...(def.role === 'none' ? [] : (['SESSION_MISSING', 'SESSION_INVALID', 'SESSION_EXPIRED'] as const)),
    ...(def.role === 'operator' || def.role === 'admin' ? (['PERMISSION_DENIED'] as const) : []),
    'INVALID_FIELD', 'INTERNAL', 'DB_UNAVAILABLE', ...def.errors,
  ])];
}

/** Reconnect delay suggested to EventSource clients (ms). */
const RETRY_MS = 3000;

export function defineEventStream<S extends z.ZodType>(def: StreamDefinition<S>): ApiStream {
  const app = new Hono<HostEnv>();
  app.get(def.uri, async (c) => {
    const services = c.get('services');
    const log = c.get('log');
    try {
      const query: Record<string, unknown> = Object.fromEntries(new URL(c.req.url).searchParams);
      const token = sessionOf(c.req.raw, { session: query.session });
      const caller = await callerOf(services, def.role, token);
      delete query.session;
      const lastEventId = c.req.header('last-event-id');
      if (lastEventId !== undefined && lastEventId !== '') query.last_event_id = lastEventId;
      const parsed = def.input.safeParse(query);
      if (!parsed.success) throw invalidField(parsed.error, query);
      const ctx: StreamContext = {
        services, userId: caller.userId, role: caller.role, clientAddress: clientAddress(c, services.config.trustedProxies), requestId: c.get('requestId'), log,
        check: async () => { await callerOf(services, def.role, token); },
      };
      const release = def.open?.(parsed.data, ctx);
      return streamSSE(c, async (stream) => {
        const listeners: Array<() => void> = [];
        stream.onAbort(() => { for (const l of listeners) l(); });
        const sink: EventSink = {
          event: (e) => stream.writeSSE({ id: String(e.id), event: e.type, data: e.data }),
          comment: (text) => stream.write(`: ${text}\n\n`).then(() => {}),
          get closed() { return stream.aborted || stream.closed; },
          onClose: (l) => { listeners.push(l); },
        };
        try {
          await stream.write(`retry: ${RETRY_MS}\n\n`); // also sends the headers now: the client sees the stream open
          await def.handler(parsed.data, ctx, sink);
        } catch (e) {
          if (!sink.closed) await stream.writeSSE({ event: 'error', data: JSON.stringify(errorEnvelope(e, log)) }).catch(() => {});
        } finally {
          release?.();
        }
      });
    } catch (e) {
      return c.json(errorEnvelope(e, log));
    }
  });
  return {
    uri: def.uri, role: def.role, method: 'GET', input: def.input, app,
    summary: def.summary, description: def.description, errors: streamErrors(def), events: def.events,
  };
}
