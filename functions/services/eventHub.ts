/**
 * The live side of GET /Events on one API instance: follows the event log (db: events) and serves
 * each open stream from it. One reader per instance reads the log — at once when `events.appended`
 * arrives (every instance hears it, over NATS or in process), and every `pollMs` in case such a
 * message was lost — into a buffer of the newest events that every stream reads. A stream that
 * starts from an older id (Last-Event-ID), or falls behind the buffer, reads the log itself until
 * it is caught up. Since ids are dense and committed in order (db/repositories/events.ts), "the
 * events after id n" is the same answer on every instance: a client may resume on any of them.
 *
 * Started with the first stream (a function deployed alone starts nothing until a client comes).
 */
import { AppError } from '../../core/errors.ts';
import { Channels } from '../../core/bus/channels.ts';
import type { Bus, Subscription } from '../../core/bus/types.ts';
import type { Logger } from '../../core/log.ts';
import type { EventRow, EventsRepo, EventType } from '../../db/repositories/events.ts';

/** Where one stream's events go (functions/lib/stream.ts writes them as Server-Sent Events). */
export interface EventSink {
  event(e: { id: number; type: string; data: string }): Promise<void>;
  /** a comment line (heartbeat) */
  comment(text: string): Promise<void>;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

export type StreamOptions = {
  /** resume after this id (Last-Event-ID); undefined: from now on */
  lastEventId?: number;
  /** only these types (the others are passed over) */
  types?: ReadonlySet<EventType>;
  /** called every heartbeat: throws (e.g. the session ended) to end the stream */
  check: () => Promise<void>;
};

type Buffered = Pick<EventRow, 'id' | 'type' | 'data'>;

const BATCH = 500;

export function createEventHub(deps: {
  repo: EventsRepo; bus: Bus; log: Logger; pollMs: number; heartbeatMs: number; maxClients: number;
  /** newest events kept in memory for the streams (default 2000) */
  bufferSize?: number;
}) {
  const { repo, log } = deps;
  const bufferSize = deps.bufferSize ?? 2000;
  let cursor = 0; // the newest id read from the log
  let buffer: Buffered[] = []; // ascending, contiguous, ending at `cursor`
  let clients = 0;
  let reserved = 0;
  let sub: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  let activating: Promise<void> | undefined;
  let reading: Promise<void> | undefined;
  let again = false;
  const waiters = new Set<() => void>();
  /** the streams being served, so close() can end them (a host stops only once they have ended) */
  const serving = new Set<Promise<void>>();
  let closing = false;

  const wake = () => { for (const w of [...waiters]) w(); };

  /** reads what the log has past `cursor` into the buffer; concurrent calls coalesce into one more read */
  function read(): Promise<void> {
    if (!clients) return Promise.resolve();
    if (reading) { again = true; return reading; }
    reading = (async () => {
      try {
        do {
          again = false;
          for (;;) {
            const rows = await repo.after(cursor, BATCH);
            if (!rows.length) break;
            for (const r of rows) buffer.push({ id: r.id, type: r.type, data: r.data });
            cursor = rows[rows.length - 1].id;
            if (buffer.length > bufferSize) buffer = buffer.slice(buffer.length - bufferSize);
            wake();
            if (rows.length < BATCH) break;
          }
        } while (again);
      } catch (err) {
        log.warn({ err }, 'events: reading the log failed; trying again on the next poll');
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  /** from idle to serving: the log's end becomes the start (the buffer of an idle hub is stale) */
  function activate(): Promise<void> {
    activating ??= (async () => {
      cursor = await repo.lastId();
      buffer = [];
      sub ??= Channels.eventsAppended.listen(deps.bus, () => { void read(); }, { log: deps.log });
      timer ??= setInterval(() => { void read(); }, deps.pollMs).unref();
    })().finally(() => { activating = undefined; });
    return activating;
  }

  /** the events after `after`: from the buffer when it reaches back that far, else from the log */
  async function eventsAfter(after: number): Promise<Buffered[]> {
    if (after >= cursor) return [];
    const first = buffer.length ? buffer[0].id : cursor + 1;
    if (after + 1 >= first) return buffer.slice(after + 1 - first, after + 1 - first + BATCH);
    return repo.after(after, BATCH);
  }

  /** true once the hub has read past `after`; false after `ms` or when the sink closes (which wakes the waiters) */
  function waitPast(after: number, ms: number, sink: EventSink): Promise<boolean> {
    if (cursor > after) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v: boolean) => { clearTimeout(t); waiters.delete(onWake); resolve(v); };
      const onWake = () => { if (cursor > after || sink.closed || closing) done(cursor > after); };
      const t = setTimeout(() => done(false), ms);
      waiters.add(onWake);
    });
  }

  return {
    /** a place for one more stream, released by the returned function; EVENT_STREAMS_BUSY beyond maxClients */
    reserve(): () => void {
      if (reserved >= deps.maxClients) throw new AppError('EVENT_STREAMS_BUSY', `too many live event streams are open (EVENTS_MAX_CLIENTS=${deps.maxClients}); try again later`);
      reserved++;
      let released = false;
      return () => { if (!released) { released = true; reserved--; } };
    },

    /** Serves one stream until its client goes, `check` throws or the hub closes. */
    serve(sink: EventSink, o: StreamOptions): Promise<void> {
      const p = serveOne(sink, o).finally(() => serving.delete(p));
      serving.add(p);
      return p;
    },

    /** streams open now, and the newest id read (tests, metrics) */
    stats: () => ({ clients, cursor }),

    /** ends every stream (their clients reconnect elsewhere, or here after a restart, with Last-Event-ID) */
    async close(): Promise<void> {
      closing = true;
      clearInterval(timer);
      timer = undefined;
      wake();
      await Promise.allSettled([...serving]);
      await sub?.stop();
      sub = undefined;
    },
  };

  async function serveOne(sink: EventSink, o: StreamOptions): Promise<void> {
    if (closing) return;
    if (!clients++) await activate().catch((e) => { clients--; throw e; });
    else await activating;
    sink.onClose(wake);
    try {
      let at: number;
      if (o.lastEventId === undefined) at = cursor;
      else {
        const last = await repo.lastId();
        at = Math.min(o.lastEventId, last); // an id from the future (a reset log) resumes from now
        const firstKept = (await repo.oldestId()) ?? last + 1;
        if (at < firstKept - 1) {
          // older than what is kept: say so (a `gap` event), then go on with the oldest kept
          await sink.event({ id: firstKept - 1, type: 'gap', data: JSON.stringify({ last_event_id: o.lastEventId, first_event_id: firstKept }) });
          at = firstKept - 1;
        }
      }
      let checked = Date.now();
      while (!sink.closed && !closing) {
        if (Date.now() - checked >= deps.heartbeatMs) {
          await o.check();
          checked = Date.now();
        }
        const batch = await eventsAfter(at);
        if (batch.length) {
          for (const e of batch) {
            if (sink.closed || closing) return;
            if (!o.types || o.types.has(e.type)) await sink.event(e);
            at = e.id;
          }
          continue;
        }
        if (!(await waitPast(at, deps.heartbeatMs, sink)) && !sink.closed && !closing) {
          await o.check();
          checked = Date.now();
          await sink.comment('heartbeat');
        }
      }
    } finally {
      if (!--clients) {
        // idle: stop reading (the next stream starts from the log's end again)
        const s = sub;
        sub = undefined;
        clearInterval(timer);
        timer = undefined;
        await s?.stop();
      }
    }
  }
}
export type EventHub = ReturnType<typeof createEventHub>;
