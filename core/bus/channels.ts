/**
 * Typed channels: each pairs a subject with the schema of what travels on it, so a publisher and its
 * consumers cannot drift apart, and every message is parsed once, where it arrives. The Bus
 * (types.ts) stays the untyped transport; application code uses these.
 *
 *   event channels (fire-and-forget: emit / listen): a message that does not parse is logged and
 *     ignored; the next one supersedes it anyway.
 *   stream channels (durable: publish / consume): at least once; a message that does not parse, or
 *     whose handler fails on `maxDeliver` deliveries in a row for a reason of its own, is moved to
 *     the DEAD_LETTERS stream (logged, counted by the caller) and the consumer goes on. A failure
 *     that is not the message's fault (database, object store or bus unavailable) is retried with
 *     backoff for as long as it lasts, never dead-lettered: an outage delays, it does not discard.
 */
import type { z } from 'zod';
import { isUnavailable } from '../errors.ts';
import type { Logger } from '../log.ts';
import {
  CameraStateMessageSchema, CaptureEventSchema, DeadLetterSchema, EventsAppendedMessageSchema, FaceMessageSchema, SessionsEndedMessageSchema, TasksDesiredMessageSchema,
  type DeadLetter,
} from './messages.ts';
import { Streams, Subjects } from './subjects.ts';
import type { Bus, BusMessage, StreamSpec, Subscription } from './types.ts';

export interface EventChannel<S extends z.ZodType> {
  /** what listeners subscribe to (NATS wildcards) */
  readonly pattern: string;
  readonly schema: S;
  subjectOf(m: z.input<S>): string;
  emit(bus: Pick<Bus, 'emit'>, m: z.input<S>): void;
  /** parsed messages only; with `queue`, each message goes to one member of the group */
  listen(bus: Pick<Bus, 'subscribe'>, handler: (m: z.output<S>, subject: string) => void, opts?: { queue?: string; log?: Logger }): Subscription;
}

export function eventChannel<S extends z.ZodType>(pattern: string, schema: S, subjectOf: (m: z.input<S>) => string): EventChannel<S> {
  return {
    pattern,
    schema,
    subjectOf,
    emit: (bus, m) => bus.emit(subjectOf(m), m),
    listen: (bus, handler, opts = {}) => bus.subscribe(pattern, (data, subject) => {
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        opts.log?.warn({ subject, issues: parsed.error.issues.slice(0, 3) }, `${pattern}: ignoring a malformed message`);
        return;
      }
      handler(parsed.data, subject);
    }, { queue: opts.queue }),
  };
}

export interface ConsumeOptions {
  durable: string;
  /** a message taken but not settled (a crash) comes again after this; default 30 s */
  ackWaitMs?: number;
  /** deliveries of a message whose handler keeps failing before it is dead-lettered; default 5 */
  maxDeliver?: number;
  /** first retry delay after a failure, doubled per delivery up to 30 s; default 1 s */
  retryMs?: number;
  log?: Logger;
  /** after a message was moved to DEAD_LETTERS (for metrics) */
  onDeadLetter?: (d: DeadLetter) => void;
}

export interface StreamChannel<S extends z.ZodType> {
  readonly stream: StreamSpec;
  readonly schema: S;
  /** the subject and message id (JetStream drops a second copy within the duplicate window) */
  address(m: z.input<S>): { subject: string; msgId: string };
  publish(bus: Pick<Bus, 'publish'>, m: z.input<S>): Promise<void>;
  consume(bus: Bus, opts: ConsumeOptions, handler: (m: z.output<S>, msg: BusMessage) => Promise<void>): Promise<Subscription>;
}

const MAX_RETRY_MS = 30_000;

/** the innermost cause's message (a driver's "refused by trigger", not the ORM's "Failed query: <sql>") */
function rootMessage(e: unknown): string {
  let cur = e;
  for (let i = 0; i < 5 && cur instanceof Error && cur.cause instanceof Error; i++) cur = cur.cause;
  return cur instanceof Error ? cur.message : String(cur);
}

export function streamChannel<S extends z.ZodType>(
  stream: StreamSpec, schema: S, subjectOf: (m: z.input<S>) => string, msgIdOf: (m: z.input<S>) => string,
): StreamChannel<S> {
  const address = (m: z.input<S>) => ({ subject: subjectOf(m), msgId: msgIdOf(m) });
  return {
    stream,
    schema,
    address,
    async publish(bus, m) {
      const a = address(m);
      await bus.publish(a.subject, m, { msgId: a.msgId });
    },
    async consume(bus, opts, handler) {
      const maxDeliver = opts.maxDeliver ?? 5;
      const retryMs = opts.retryMs ?? 1000;
      await bus.ensureStream(stream);
      await bus.ensureStream(Streams.DEAD_LETTERS);
      const giveUp = async (msg: BusMessage, reason: DeadLetter['reason'], error: string) => {
        const d: DeadLetter = {
          subject: msg.subject, stream: stream.name, seq: msg.seq, durable: opts.durable, reason, deliveries: msg.deliveryCount,
          error: error.slice(0, 2000), time: Date.now(), data: msg.data,
        };
        await Channels.deadLetters.publish(bus, d); // fails (bus down): the message is retried, not lost
        opts.log?.error({ subject: d.subject, seq: d.seq, reason, deliveries: d.deliveries, error: d.error }, `${opts.durable}: message moved to ${Streams.DEAD_LETTERS.name}`);
        opts.onDeadLetter?.(d);
      };
      return bus.consume({ stream, durable: opts.durable, ackWaitMs: opts.ackWaitMs }, async (msg) => {
        const parsed = schema.safeParse(msg.data);
        if (!parsed.success) {
          await giveUp(msg, 'malformed', parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '));
          return;
        }
        try {
          await handler(parsed.data, msg);
        } catch (e) {
          const delay = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(10, msg.deliveryCount - 1));
          if (isUnavailable(e) || msg.deliveryCount < maxDeliver) {
            opts.log?.warn({ subject: msg.subject, seq: msg.seq, deliveries: msg.deliveryCount, err: e, retryInMs: delay }, `${opts.durable}: handling failed; retrying`);
            msg.nak(delay);
            return;
          }
          await giveUp(msg, 'failed', rootMessage(e));
        }
      });
    },
  };
}

/** Every channel of the system. */
export const Channels = {
  /** stream nodes → matcher: a face's appearance, its first shot and better ones (FACES) */
  faces: streamChannel(Streams.FACES, FaceMessageSchema, (m) => Subjects.faces(m.task_id, m.camera_id), (m) => m.message_id),
  /** consumers → operators: what was given up */
  deadLetters: streamChannel(Streams.DEAD_LETTERS, DeadLetterSchema, (m) => Subjects.deadLetter(m.subject), (m) => `${m.stream}-${m.seq}`),
  /** API → stream nodes: the tasks that should run and their cameras, newest wins */
  tasksDesired: eventChannel(Subjects.tasksDesired, TasksDesiredMessageSchema, () => Subjects.tasksDesired),
  /** stream nodes → API: a camera's stream state */
  cameraState: eventChannel(Subjects.cameraStateAll, CameraStateMessageSchema, (m) => Subjects.cameraState(m.camera_id)),
  /** matcher → live consumers: a record was written */
  captureEvents: eventChannel(Subjects.eventsCaptureAll, CaptureEventSchema, (m) => Subjects.eventsCapture(m.task_id)),
  /** matcher, workers, handlers → every API instance's live stream hub: the event log grew */
  eventsAppended: eventChannel(Subjects.eventsAppended, EventsAppendedMessageSchema, () => Subjects.eventsAppended),
  /** API instance → API instances: a user's sessions ended */
  sessionsEnded: eventChannel(Subjects.sessionsEnded, SessionsEndedMessageSchema, () => Subjects.sessionsEnded),
} as const;
