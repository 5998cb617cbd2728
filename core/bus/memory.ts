/**
 * The in-process bus of the embedded single-process default: the same contract as JetStream
 * (core/bus/types.ts) without a server. Streams keep messages in memory, as JSON text (so nothing
 * is shared by reference, as on the wire); durable consumers keep their position and pending acks
 * for the life of the bus, so a subscription stopped mid-handler gets its message again after
 * ackWaitMs. Nothing survives the process: that is what NATS is for.
 */
import { AppError } from '../errors.ts';
import { subjectMatches } from './subjects.ts';
import {
  CONSUMER_DEFAULTS, type Bus, type BusMessage, type ConsumerOptions, type Handler, type Leases, type LeaseSpec,
  type PublishResult, type StreamSpec, type Subscription,
} from './types.ts';

interface Stored { seq: number; subject: string; json: string; time: number }

interface Stream {
  spec: StreamSpec;
  messages: Stored[]; // ascending seq
  lastSeq: number;
  ids: Map<string, { seq: number; time: number }>;
  durables: Map<string, Durable>;
}

interface Pending { deliveries: number; inFlight: boolean; dueAt: number; timer?: NodeJS.Timeout }

interface Durable {
  opts: Required<Omit<ConsumerOptions, 'maxDeliver'>> & { maxDeliver: number };
  /** next sequence never delivered */
  nextSeq: number;
  pending: Map<number, Pending>;
  wake?: () => void;
}

export function createMemoryBus(): Bus {
  const streams = new Map<string, Stream>();
  const buckets = new Map<string, LeaseBucket>();
  const subs = new Set<{ filter: string; queue?: string; handler: (data: unknown, subject: string) => void }>();
  let closed = false;

  const streamFor = (subject: string) => [...streams.values()].find((s) => s.spec.subjects.some((f) => subjectMatches(f, subject)));
  const assertOpen = () => { if (closed) throw new AppError('BUS_UNAVAILABLE', 'bus is closed'); };

  const trim = (s: Stream, now: number) => {
    for (const [id, v] of s.ids) if (now - v.time > s.spec.duplicateWindowMs) s.ids.delete(id);
    if (s.spec.maxAgeMs !== undefined) {
      const cut = s.messages.findIndex((m) => now - m.time <= s.spec.maxAgeMs!);
      s.messages.splice(0, cut === -1 ? s.messages.length : cut);
    }
  };

  return {
    async ensureStream(spec) {
      assertOpen();
      const s = streams.get(spec.name);
      if (s) s.spec = spec;
      else streams.set(spec.name, { spec, messages: [], lastSeq: 0, ids: new Map(), durables: new Map() });
    },

    async publish(subject, data, opts = {}): Promise<PublishResult> {
      assertOpen();
      const s = streamFor(subject);
      if (!s) throw new AppError('BUS_UNAVAILABLE', `no stream holds subject ${subject}`);
      const now = Date.now();
      trim(s, now);
      if (opts.msgId !== undefined) {
        const seen = s.ids.get(opts.msgId);
        if (seen) return { seq: seen.seq, duplicate: true };
      }
      const seq = ++s.lastSeq;
      s.messages.push({ seq, subject, json: JSON.stringify(data), time: now });
      if (opts.msgId !== undefined) s.ids.set(opts.msgId, { seq, time: now });
      for (const d of s.durables.values()) d.wake?.();
      return { seq, duplicate: false };
    },

    async consume<T>(opts: ConsumerOptions, handler: Handler<T>): Promise<Subscription> {
      assertOpen();
      const s = streams.get(opts.stream.name);
      if (!s) throw new AppError('BUS_UNAVAILABLE', `no stream ${opts.stream.name}`);
      const full = {
        ...opts,
        filterSubject: opts.filterSubject ?? '>',
        ackWaitMs: opts.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs,
        nakDelayMs: opts.nakDelayMs ?? CONSUMER_DEFAULTS.nakDelayMs,
        maxDeliver: opts.maxDeliver ?? -1,
      };
      let d = s.durables.get(opts.durable);
      if (!d) {
        d = { opts: full, nextSeq: 1, pending: new Map() };
        s.durables.set(opts.durable, d);
      } else d.opts = full;
      const durable = d;
      let stopped = false;

      const settle = (seq: number, how: 'ack' | 'nak', delayMs = 0) => {
        const p = durable.pending.get(seq);
        if (!p) return;
        clearTimeout(p.timer);
        if (how === 'ack' || (durable.opts.maxDeliver > 0 && p.deliveries >= durable.opts.maxDeliver)) {
          durable.pending.delete(seq);
        } else {
          p.inFlight = false;
          p.dueAt = Date.now() + delayMs;
          // the timer, not the clock, makes it due: a timer may fire a millisecond before Date.now()
          // reaches dueAt, and then no other wake would come (the redelivery was lost, seen in CI)
          p.timer = setTimeout(() => { p.dueAt = 0; durable.wake?.(); }, delayMs).unref();
        }
        durable.wake?.();
      };

      /** the next message to deliver: a due redelivery first, then the next new one */
      const next = (): Stored | undefined => {
        const now = Date.now();
        const due = [...durable.pending.entries()].filter(([, p]) => !p.inFlight && p.dueAt <= now).map(([q]) => q).sort((a, b) => a - b);
        for (const seq of due) {
          const m = s.messages.find((x) => x.seq === seq);
          if (m) return m;
          durable.pending.delete(seq); // aged out of the stream
        }
        while (durable.nextSeq <= s.lastSeq) {
          const m = s.messages.find((x) => x.seq === durable.nextSeq);
          durable.nextSeq++;
          if (m && subjectMatches(durable.opts.filterSubject, m.subject)) return m;
        }
        return undefined;
      };

      const loop = async () => {
        while (!stopped && !closed) {
          const m = next();
          if (!m) {
            await new Promise<void>((resolve) => { durable.wake = resolve; });
            continue;
          }
          const p = durable.pending.get(m.seq) ?? { deliveries: 0, inFlight: false, dueAt: 0 };
          p.deliveries++;
          p.inFlight = true;
          const armAckTimer = () => {
            clearTimeout(p.timer);
            p.timer = setTimeout(() => { p.inFlight = false; p.dueAt = 0; durable.wake?.(); }, durable.opts.ackWaitMs).unref();
          };
          armAckTimer();
          durable.pending.set(m.seq, p);
          let settled = false;
          const msg: BusMessage<T> = {
            subject: m.subject,
            data: JSON.parse(m.json) as T,
            seq: m.seq,
            deliveryCount: p.deliveries,
            ack: () => { if (!settled) { settled = true; settle(m.seq, 'ack'); } },
            nak: (delayMs) => { if (!settled) { settled = true; settle(m.seq, 'nak', delayMs ?? durable.opts.nakDelayMs); } },
            working: () => { if (!settled) armAckTimer(); },
          };
          await new Promise((r) => setImmediate(r)); // deliver asynchronously, as over a network
          if (stopped || closed) break; // not handled: redelivered after ackWaitMs
          try {
            await handler(msg);
            msg.ack();
          } catch {
            msg.nak();
          }
        }
      };
      void loop();
      return {
        async stop() {
          stopped = true;
          durable.wake?.();
        },
      };
    },

    emit(subject, data) {
      if (closed) return;
      const json = JSON.stringify(data);
      const groups = new Map<string, Array<(d: unknown, s: string) => void>>();
      for (const sub of subs) {
        if (!subjectMatches(sub.filter, subject)) continue;
        if (sub.queue === undefined) queueMicrotask(() => sub.handler(JSON.parse(json), subject));
        else groups.set(sub.queue, [...(groups.get(sub.queue) ?? []), sub.handler]);
      }
      for (const members of groups.values()) {
        const h = members[Math.floor(Math.random() * members.length)];
        queueMicrotask(() => h(JSON.parse(json), subject));
      }
    },

    subscribe<T>(subject: string, handler: (data: T, subject: string) => void, opts: { queue?: string } = {}): Subscription {
      const sub = { filter: subject, queue: opts.queue, handler: handler as (d: unknown, s: string) => void };
      subs.add(sub);
      return { stop: async () => { subs.delete(sub); } };
    },

    async leases(spec) {
      assertOpen();
      let b = buckets.get(spec.bucket);
      if (!b) buckets.set(spec.bucket, (b = new Map()));
      b.spec = spec;
      return memoryLeases(b);
    },

    async check() {
      assertOpen();
    },

    async pending(spec, durable) {
      const s = streams.get(spec.name);
      const d = s?.durables.get(durable);
      if (!s || !d) return s ? s.messages.length : 0;
      return d.pending.size + s.messages.filter((m) => m.seq >= d.nextSeq && subjectMatches(d.opts.filterSubject, m.subject)).length;
    },

    async close() {
      closed = true;
      subs.clear();
      for (const s of streams.values()) {
        for (const d of s.durables.values()) {
          for (const p of d.pending.values()) clearTimeout(p.timer);
          d.wake?.();
        }
      }
    },
  };
}

type LeaseBucket = Map<string, { owner: string; expires: number }> & { spec?: LeaseSpec };

function memoryLeases(b: LeaseBucket): Leases {
  const live = (key: string) => {
    const l = b.get(key);
    if (l && l.expires <= Date.now()) { b.delete(key); return undefined; }
    return l;
  };
  const take = (key: string, owner: string) => { b.set(key, { owner, expires: Date.now() + b.spec!.ttlMs }); return true; };
  return {
    async acquire(key, owner) {
      const l = live(key);
      return !l || l.owner === owner ? take(key, owner) : false;
    },
    async renew(key, owner) {
      const l = live(key);
      return !l || l.owner === owner ? take(key, owner) : false;
    },
    async release(key, owner) {
      if (live(key)?.owner === owner) b.delete(key);
    },
    async holders() {
      const out = new Map<string, string>();
      for (const key of [...b.keys()]) { const l = live(key); if (l) out.set(key, l.owner); }
      return out;
    },
  };
}
