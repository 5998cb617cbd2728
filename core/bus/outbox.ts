/**
 * Publishes that must not be lost while the bus is away: a stream node keeps analysing during a NATS
 * outage, and what it would publish waits here, in order, and is retried until JetStream takes it.
 * Bounded: beyond `maxMessages` the oldest waiting message (not the one being published) is dropped
 * (counted, logged once per outage with the running count), so an outage costs the oldest faces, never the node's memory.
 * Retrying is safe: messages carry a stable msgId, and JetStream drops a second copy within the
 * stream's duplicate window (a publish that timed out may still have been stored).
 */
import type { Logger } from '../log.ts';
import type { Bus } from './types.ts';

export interface OutboxOptions {
  bus: Pick<Bus, 'publish'>;
  /** most messages waiting; default 10 000 (a FaceMessage is ~3 KB: ~30 MB at worst) */
  maxMessages?: number;
  /** retry delays after a failed publish: initialMs doubled up to maxMs; default 250 ms .. 5 s */
  retry?: { initialMs?: number; maxMs?: number };
  logger?: Logger;
}

interface Waiting { subject: string; data: unknown; msgId?: string }

export class Outbox {
  readonly stats = { sent: 0, dropped: 0, failures: 0 };
  private readonly queue: Waiting[] = [];
  private head = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private droppedLogged = false;
  /** the message being published now: never dropped (the bus may have it already) */
  private inFlight: Waiting | undefined;

  constructor(private readonly o: OutboxOptions) {}

  /** messages waiting to be sent */
  get size(): number { return this.queue.length - this.head; }

  /** queues a message; it is sent as soon as the bus takes it, in order */
  push(subject: string, data: unknown, opts: { msgId?: string } = {}): void {
    if (this.closed) return;
    this.queue.push({ subject, data, msgId: opts.msgId });
    const max = this.o.maxMessages ?? 10_000;
    while (this.size > max) {
      const lost = this.queue[this.head] === this.inFlight ? this.queue.splice(this.head + 1, 1)[0] : this.queue[this.head++];
      this.stats.dropped++;
      if (!this.droppedLogged) {
        this.droppedLogged = true;
        this.o.logger?.warn({ subject: lost.subject, msgId: lost.msgId, dropped: this.stats.dropped, max }, 'bus outbox full: dropping the oldest messages');
      }
    }
    this.compact();
    this.running ??= this.run().finally(() => { this.running = undefined; });
  }

  /** waits until everything queued is sent, or timeoutMs passed; true when empty */
  async flush(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.size === 0;
  }

  /** stops sending; what is still queued is dropped (flush first to give it a chance) */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private compact() {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private async run() {
    let delay = this.o.retry?.initialMs ?? 250;
    let failing = false;
    while (!this.closed && this.size > 0) {
      const m = this.queue[this.head];
      this.inFlight = m;
      try {
        await this.o.bus.publish(m.subject, m.data, m.msgId !== undefined ? { msgId: m.msgId } : {});
        this.head++; // m is still the head: the message in flight is never dropped
        this.stats.sent++;
        if (failing) {
          this.o.logger?.info({ waiting: this.size, dropped: this.stats.dropped }, 'bus outbox: publishing again');
          failing = false;
          this.droppedLogged = false;
        }
        delay = this.o.retry?.initialMs ?? 250;
      } catch (e) {
        this.stats.failures++;
        if (!failing) this.o.logger?.warn({ err: e, waiting: this.size }, 'bus outbox: publish failed; keeping messages and retrying');
        failing = true;
        await new Promise<void>((r) => { this.wake = r; this.timer = setTimeout(r, delay); });
        delay = Math.min(this.o.retry?.maxMs ?? 5000, delay * 2);
      } finally {
        this.inFlight = undefined;
      }
    }
    this.compact();
  }
}
