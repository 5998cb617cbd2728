/**
 * The bus both sides share: stream nodes publish, functions consume. Two implementations behave
 * alike: NATS JetStream (core/bus/nats.ts, across processes and machines) and an in-process one
 * (core/bus/memory.ts, the embedded single-process default). Payloads are JSON values.
 *
 * Durable messages (publish/consume) are kept in a stream and delivered at least once to each
 * durable consumer: a handler that returns acks the message, one that throws naks it (redelivered
 * after nakDelayMs), one that never settles (a crashed process) gets it redelivered after ackWaitMs.
 * Consumers must therefore be idempotent. A message id published twice within the stream's
 * duplicate window is stored once.
 *
 * Fire-and-forget messages (emit/subscribe) are for state and events whose next update supersedes
 * the last; no one waits for them and nothing keeps them.
 */
export interface StreamSpec {
  name: string;
  subjects: readonly string[];
  duplicateWindowMs: number;
  maxAgeMs?: number;
}

export interface PublishResult {
  /** sequence of the message in its stream */
  seq: number;
  /** true when the message id was already stored within the duplicate window (nothing stored) */
  duplicate: boolean;
}

export interface BusMessage<T = unknown> {
  subject: string;
  data: T;
  seq: number;
  /** 1 on first delivery, 2 on the first redelivery, ... */
  deliveryCount: number;
  ack(): void;
  /** asks for redelivery after delayMs (default: the consumer's nakDelayMs) */
  nak(delayMs?: number): void;
  /** resets the ack timer while a slow handler works */
  working(): void;
}

export interface ConsumerOptions {
  stream: StreamSpec;
  /** durable name: its position and pending acks outlive the subscription and the process */
  durable: string;
  /** only subjects matching this (NATS wildcards); default all of the stream */
  filterSubject?: string;
  /** unacked messages are redelivered after this; default 30 s */
  ackWaitMs?: number;
  /** deliveries before a message is given up; default unlimited */
  maxDeliver?: number;
  /** redelivery delay after a handler throws; default 1 s */
  nakDelayMs?: number;
}

export type Handler<T> = (msg: BusMessage<T>) => void | Promise<void>;

export interface Subscription {
  /** stops receiving; messages being handled and not yet acked are redelivered after ackWaitMs */
  stop(): Promise<void>;
}

/** A bucket of leases: a key held by one owner at a time, lost unless renewed within ttlMs. */
export interface LeaseSpec {
  bucket: string;
  ttlMs: number;
}

/**
 * Leases (JetStream KV with a TTL, or in memory): how stream nodes share cameras without a registry
 * of their own. A node that dies stops renewing, and its keys are free again after ttlMs.
 */
export interface Leases {
  /** takes `key` for `owner` if it is free (or already the owner's); true when owner holds it */
  acquire(key: string, owner: string): Promise<boolean>;
  /** keeps `owner`'s lease alive; false when someone else holds the key now */
  renew(key: string, owner: string): Promise<boolean>;
  /** frees `key` if `owner` holds it */
  release(key: string, owner: string): Promise<void>;
  /** key -> owner of every live lease */
  holders(): Promise<Map<string, string>>;
}

export interface Bus {
  /** creates the stream, or updates it to this spec */
  ensureStream(spec: StreamSpec): Promise<void>;
  /** stores a message in the stream holding `subject`; msgId dedupes within the window */
  publish(subject: string, data: unknown, opts?: { msgId?: string }): Promise<PublishResult>;
  /** handles the durable's messages one at a time, in order (redeliveries first) */
  consume<T = unknown>(opts: ConsumerOptions, handler: Handler<T>): Promise<Subscription>;
  /** fire-and-forget */
  emit(subject: string, data: unknown): void;
  /** with `queue`, each message goes to one member of the queue group */
  subscribe<T = unknown>(subject: string, handler: (data: T, subject: string) => void, opts?: { queue?: string }): Subscription;
  /** opens (creating if needed) a bucket of leases */
  leases(spec: LeaseSpec): Promise<Leases>;
  /** messages of the stream the durable has not acked yet (not delivered, or delivered and unsettled) */
  pending(stream: StreamSpec, durable: string): Promise<number>;
  /** resolves when the bus (JetStream included) answers within CHECK_TIMEOUT_MS; BUS_UNAVAILABLE otherwise */
  check(): Promise<void>;
  /**
   * `listener(false)` when the connection to the bus is lost, `listener(true)` when it is back (the
   * in-process bus never calls it); returns the function that removes the listener
   */
  onConnection?(listener: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

export const CONSUMER_DEFAULTS = { ackWaitMs: 30_000, nakDelayMs: 1000 } as const;

/** Time limit of Bus.check() (readiness probes). */
export const CHECK_TIMEOUT_MS = 2000;
