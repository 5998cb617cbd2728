/**
 * The bus over NATS: JetStream streams with file storage for durable messages (dedupe by
 * Nats-Msg-Id within the stream's duplicate window, durable pull consumers with explicit ack), core
 * NATS for fire-and-forget. The only module that imports `nats`.
 */
import {
  AckPolicy, connect, DeliverPolicy, JSONCodec, nanos, StorageType, StringCodec, type ConsumerConfig, type JetStreamClient,
  type JetStreamManager, type JsMsg, type KV, type NatsConnection, type StreamConfig,
} from 'nats';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { CHECK_TIMEOUT_MS, CONSUMER_DEFAULTS, type Bus, type BusMessage, type Leases, type Subscription } from './types.ts';

export interface NatsBusOptions {
  /** nats://host:port, comma-separated for a cluster */
  servers: string;
  /** connection name shown by the server (e.g. the node name) */
  name?: string;
  logger?: Logger;
}

const codec = JSONCodec();

export async function connectNatsBus(opts: NatsBusOptions): Promise<Bus & { connection: NatsConnection }> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.servers.split(',').map((s) => s.trim()),
      name: opts.name,
      maxReconnectAttempts: -1, // keep trying: a node must outlive a NATS restart
      reconnectTimeWait: 500,
    });
  } catch (e) {
    throw new AppError('BUS_UNAVAILABLE', `cannot connect to NATS at ${opts.servers}`, { cause: e });
  }
  const log = opts.logger;
  const connectionListeners = new Set<(up: boolean) => void>();
  void (async () => {
    for await (const s of nc.status()) {
      const up = s.type === 'reconnect' ? true : s.type === 'disconnect' ? false : undefined;
      if (up === undefined) continue;
      log?.[up ? 'info' : 'warn']({ server: s.data }, up ? 'bus: reconnected to NATS' : 'bus: connection to NATS lost');
      for (const l of connectionListeners) {
        try { l(up); } catch (e) { log?.warn({ err: e }, 'bus: connection listener failed'); }
      }
    }
  })().catch(() => {});
  const jsm: JetStreamManager = await nc.jetstreamManager();
  const js: JetStreamClient = nc.jetstream();
  const subscriptions = new Set<Subscription>();

  const wrap = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('BUS_UNAVAILABLE', `${what}: ${(e as Error).message}`, { cause: e });
    }
  };

  return {
    connection: nc,

    ensureStream: (spec) => wrap(`stream ${spec.name}`, async () => {
      const cfg: Partial<StreamConfig> = {
        name: spec.name,
        subjects: [...spec.subjects],
        storage: StorageType.File,
        duplicate_window: nanos(spec.duplicateWindowMs),
        ...(spec.maxAgeMs !== undefined ? { max_age: nanos(spec.maxAgeMs) } : {}),
      };
      const exists = await jsm.streams.info(spec.name).then(() => true, () => false);
      if (exists) await jsm.streams.update(spec.name, cfg);
      else await jsm.streams.add(cfg);
    }),

    publish: (subject, data, o = {}) => wrap(`publish ${subject}`, async () => {
      const ack = await js.publish(subject, codec.encode(data), o.msgId !== undefined ? { msgID: o.msgId } : {});
      return { seq: ack.seq, duplicate: ack.duplicate };
    }),

    consume: (o, handler) => wrap(`consumer ${o.durable}`, async () => {
      const nakDelayMs = o.nakDelayMs ?? CONSUMER_DEFAULTS.nakDelayMs;
      const cfg: Partial<ConsumerConfig> = {
        durable_name: o.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(o.ackWaitMs ?? CONSUMER_DEFAULTS.ackWaitMs),
        max_deliver: o.maxDeliver ?? -1,
        ...(o.filterSubject ? { filter_subject: o.filterSubject } : {}),
      };
      const exists = await jsm.consumers.info(o.stream.name, o.durable).then(() => true, () => false);
      if (exists) await jsm.consumers.update(o.stream.name, o.durable, cfg);
      else await jsm.consumers.add(o.stream.name, cfg);
      // Small batches: a message pulled but not handled waits for ackWait before anyone else gets it.
      const pull = async () => (await js.consumers.get(o.stream.name, o.durable)).consume({ max_messages: 16 });
      let messages = await pull();
      let stopped = false;
      const handle = async (m: JsMsg) => {
        let data: unknown;
        try {
          data = codec.decode(m.data);
        } catch (e) {
          log?.warn({ subject: m.subject, seq: m.seq, err: e }, 'bus: dropping a message that is not JSON');
          m.term();
          return;
        }
        let settled = false;
        const msg: BusMessage<never> = {
          subject: m.subject,
          data: data as never,
          seq: m.seq,
          deliveryCount: m.info.redeliveryCount,
          ack: () => { if (!settled) { settled = true; m.ack(); } },
          nak: (delayMs) => { if (!settled) { settled = true; m.nak(delayMs ?? nakDelayMs); } },
          working: () => { if (!settled) m.working(); },
        };
        try {
          await handler(msg);
          msg.ack();
        } catch (e) {
          log?.warn({ subject: m.subject, seq: m.seq, err: e }, 'bus: handler failed; message will be redelivered');
          msg.nak();
        }
      };
      // A pull that the server ends (a consumer taken while JetStream is still recovering after a
      // restart, a failed pull) would otherwise stop delivery silently for good: pull again, with
      // backoff, until stop().
      const loop = (async () => {
        for (let delayMs = 250; !stopped; delayMs = Math.min(delayMs * 2, 5000)) {
          try {
            for await (const m of messages) {
              if (stopped) break;
              await handle(m);
              delayMs = 250;
            }
          } catch (e) {
            log?.warn({ err: e, durable: o.durable }, 'bus: pull failed');
          }
          if (stopped || nc.isClosed()) break; // a closed connection never comes back
          log?.warn({ durable: o.durable, retryInMs: delayMs }, 'bus: pull ended; pulling again');
          await new Promise((r) => setTimeout(r, delayMs));
          if (stopped) break;
          try {
            messages = await pull();
          } catch (e) {
            log?.warn({ err: e, durable: o.durable }, 'bus: could not pull again yet');
          }
        }
      })();
      const sub: Subscription = {
        async stop() {
          if (stopped) return;
          stopped = true;
          subscriptions.delete(sub);
          // Not close(), which waits for the loop: a handler still running is not waited for, and its
          // message (like any pulled but unhandled one) is redelivered after ackWait.
          messages.stop();
        },
      };
      subscriptions.add(sub);
      loop.catch((e) => log?.error({ err: e, durable: o.durable }, 'bus: consumer stopped'));
      return sub;
    }),

    emit(subject, data) {
      if (nc.isClosed()) return;
      nc.publish(subject, codec.encode(data));
    },

    subscribe(subject, handler, o = {}) {
      const s = nc.subscribe(subject, {
        queue: o.queue,
        callback: (err, m) => {
          if (err) return;
          try {
            handler(codec.decode(m.data) as never, m.subject);
          } catch (e) {
            log?.warn({ subject: m.subject, err: e }, 'bus: subscriber failed');
          }
        },
      });
      const sub: Subscription = { stop: async () => { s.unsubscribe(); subscriptions.delete(sub); } };
      subscriptions.add(sub);
      return sub;
    },

    leases: (spec) => wrap(`lease bucket ${spec.bucket}`, async () => {
      // A lease request lost at a reconnect (the server restarting) must fail within a fraction of
      // the TTL, not JetStream's default 5 s: its node then retries at once and re-asserts its
      // cameras inside the others' grace (one TTL). The fault tests saw a node's first request after
      // a NATS restart wait 3.7 s while another node's grace (3 s) ran out and it took the cameras.
      const leaseJs = nc.jetstream({ timeout: leaseRequestTimeoutMs(spec.ttlMs) });
      const kv = await leaseJs.views.kv(spec.bucket, { ttl: spec.ttlMs, history: 1, storage: StorageType.File });
      return natsLeases(kv, wrap);
    }),

    pending: (spec, durable) => wrap(`consumer ${durable}`, async () => {
      const info = await jsm.consumers.info(spec.name, durable);
      return info.num_pending + info.num_ack_pending;
    }),

    check: () => wrap('check', async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`JetStream did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS); });
      try {
        await Promise.race([jsm.getAccountInfo(), late]);
      } finally {
        clearTimeout(timer);
      }
    }),

    onConnection(listener) {
      connectionListeners.add(listener);
      return () => { connectionListeners.delete(listener); };
    },

    async close() {
      connectionListeners.clear();
      for (const s of [...subscriptions]) await s.stop();
      if (!nc.isClosed()) await nc.close();
    },
  };
}

const sc = StringCodec();

/** how long a lease operation waits for JetStream: a third of the TTL, within 1 .. 2 s (a loaded
 *  machine answers a KV request in well under a second; a lost one should cost little of the grace) */
export const leaseRequestTimeoutMs = (ttlMs: number) => Math.min(2000, Math.max(1000, Math.floor(ttlMs / 3)));

/**
 * Leases on a KV bucket whose TTL (the stream's max age) removes entries not rewritten in time. Every
 * write is compare-and-set on the revision this process last saw, so two nodes never both believe
 * they hold a key: the loser's create/update fails and it reads who holds it.
 */
function natsLeases(kv: KV, wrap: <R>(what: string, fn: () => Promise<R>) => Promise<R>): Leases {
  const holder = async (key: string) => {
    const e = await kv.get(key);
    return e && e.operation === 'PUT' ? { owner: sc.decode(e.value), revision: e.revision } : undefined;
  };
  const hold = async (key: string, owner: string): Promise<boolean> => {
    const h = await holder(key);
    try {
      if (!h) await kv.create(key, sc.encode(owner));
      else if (h.owner === owner) await kv.update(key, sc.encode(owner), h.revision);
      else return false;
      return true;
    } catch (e) {
      // Another node wrote first (it holds the key now), or the bus failed (JetStream still
      // recovering after a restart, a timeout): the holder tells which. A failure is not "taken":
      // a node that read it so dropped its camera right after every NATS restart.
      const now = await holder(key);
      if (now) return now.owner === owner;
      throw e;
    }
  };
  return {
    acquire: (key, owner) => wrap(`lease ${key}`, () => hold(key, owner)),
    renew: (key, owner) => wrap(`lease ${key}`, () => hold(key, owner)),
    release: (key, owner) => wrap(`lease ${key}`, async () => {
      const h = await holder(key);
      if (h?.owner === owner) await kv.delete(key, { previousSeq: h.revision }).catch(() => {});
    }),
    holders: () => wrap('leases', async () => {
      // Keys first: awaiting inside the keys() iteration ends it after the first key.
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      const out = new Map<string, string>();
      for (const key of keys) {
        const h = await holder(key);
        if (h) out.set(key, h.owner);
      }
      return out;
    }),
  };
}
