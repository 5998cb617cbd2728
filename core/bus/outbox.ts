/**
 * "Publish later": what a stream node sends must survive an outage of the object store or of the
 * bus. Each entry is an object to store (a face crop) and the messages that refer to it; entries are
 * handled one at a time, in order: the object is stored first, then its messages are published, so
 * no message ever names an object the store does not have. A step that fails is retried with backoff
 * (250 ms doubling to 5 s, or at once after `retryNow()`, e.g. when the bus reconnects) until it
 * succeeds; the camera keeps analysing meanwhile.
 *
 * Kept on disk when `dir` is given (one file per entry, written whole then renamed), so a long
 * outage costs disk, not memory, and what a node had not sent when it stopped or crashed is sent by
 * the next run on the same directory (`open()`). Without `dir` the entries stay in memory.
 *
 * Bounded: beyond `maxEntries` or `maxBytes` the oldest waiting entry (never the one being sent) is
 * dropped, counted in `stats.dropped` and logged once per outage. While sending fails, the depth is
 * logged every `depthLogMs`; `stats` holds it for metrics.
 *
 * Retrying is safe: storing an object again under the same key rewrites the same bytes, and
 * messages carry stable ids that JetStream drops when seen again within its duplicate window.
 */
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { Bus } from './types.ts';

export interface OutboxMessage { subject: string; data: unknown; msgId?: string }

export interface OutboxEntry {
  /** stored before any of the messages is published */
  object?: { key: string; body: Buffer; contentType: string };
  messages: OutboxMessage[];
}

export interface OutboxOptions {
  bus: Pick<Bus, 'publish'>;
  /** needed when entries carry objects */
  store?: Pick<ObjectStore, 'put'>;
  /** where waiting entries are kept; default: in memory */
  dir?: string;
  /** most entries waiting; default 100 000 */
  maxEntries?: number;
  /** most bytes waiting (objects + messages); default 1 GiB */
  maxBytes?: number;
  /** retry delays after a failed step: initialMs doubled up to maxMs; default 250 ms .. 5 s */
  retry?: { initialMs?: number; maxMs?: number };
  /** while sending fails, the depth is logged this often; default 10 s */
  depthLogMs?: number;
  logger?: Logger;
}

export interface OutboxStats {
  /** entries waiting, and their bytes */
  waiting: number;
  bytes: number;
  /** entries fully sent; objects stored; messages published */
  sent: number;
  stored: number;
  published: number;
  /** entries dropped beyond the bounds */
  dropped: number;
  /** failed attempts (each retried) */
  failures: number;
}

interface Waiting {
  seq: number;
  bytes: number;
  /** in memory until written to disk (always, without a dir or when the write failed) */
  entry?: OutboxEntry;
  file?: string;
  written?: Promise<void>;
  /** progress of the entry being sent, so a retry does not redo finished steps */
  stored?: boolean;
  published?: number;
}

const FILE = /^(\d{12})\.entry$/;

export class Outbox {
  readonly stats: OutboxStats = { waiting: 0, bytes: 0, sent: 0, stored: 0, published: 0, dropped: 0, failures: 0 };
  private queue: Waiting[] = [];
  private seq = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private droppedLogged = false;
  private writeFailureLogged = false;
  /** the entry being sent now: never dropped (the store or the bus may have it already) */
  private inFlight: Waiting | undefined;

  constructor(private readonly o: OutboxOptions) {}

  /** entries waiting to be sent */
  get size(): number { return this.queue.length; }

  /** takes up what an earlier run left in `dir` (before anything new), then sends it */
  async open(): Promise<void> {
    const dir = this.o.dir;
    if (!dir) return;
    await mkdir(dir, { recursive: true });
    const found: Waiting[] = [];
    for (const name of await readdir(dir)) {
      const m = FILE.exec(name);
      if (!m) { if (name.endsWith('.tmp')) await rm(join(dir, name), { force: true }); continue; }
      const file = join(dir, name);
      found.push({ seq: Number(m[1]), bytes: (await stat(file)).size, file, written: Promise.resolve() });
    }
    found.sort((a, b) => a.seq - b.seq);
    this.seq = Math.max(this.seq, (found.at(-1)?.seq ?? -1) + 1);
    this.queue = [...found, ...this.queue];
    for (const w of found) this.count(w, +1);
    if (found.length) this.o.logger?.info({ waiting: found.length, bytes: this.stats.bytes }, 'outbox: sending what an earlier run left');
    this.bound();
    this.kick();
  }

  /** queues an entry; it is sent as soon as the store and the bus take it, after everything before it */
  push(entry: OutboxEntry): void {
    if (this.closed) return;
    const bytes = (entry.object?.body.length ?? 0) + Buffer.byteLength(JSON.stringify(entry.messages));
    const w: Waiting = { seq: this.seq++, bytes, entry };
    if (this.o.dir) w.written = this.write(w, this.o.dir);
    this.queue.push(w);
    this.count(w, +1);
    this.bound();
    this.kick();
  }

  /** tries the next step now instead of waiting out the backoff (the store or bus is back) */
  retryNow(): void {
    clearTimeout(this.timer);
    this.wake?.();
  }

  /** waits until everything queued is sent, or timeoutMs passed; true when empty */
  async flush(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.size === 0;
  }

  /** stops sending; what is still queued stays on disk for the next run (in memory: dropped) */
  close(): void {
    this.closed = true;
    this.retryNow();
  }

  private count(w: Waiting, sign: 1 | -1) {
    this.stats.waiting += sign;
    this.stats.bytes += sign * w.bytes;
  }

  private bound() {
    const maxEntries = this.o.maxEntries ?? 100_000;
    const maxBytes = this.o.maxBytes ?? 1024 ** 3;
    while (this.queue.length > 1 && (this.queue.length > maxEntries || this.stats.bytes > maxBytes)) {
      const i = this.queue[0] === this.inFlight ? 1 : 0;
      const [lost] = this.queue.splice(i, 1);
      this.count(lost, -1);
      this.stats.dropped++;
      void this.remove(lost);
      if (!this.droppedLogged) {
        this.droppedLogged = true;
        this.o.logger?.warn({ dropped: this.stats.dropped, maxEntries, maxBytes }, 'outbox full: dropping the oldest entries');
      }
    }
  }

  private async write(w: Waiting, dir: string): Promise<void> {
    const e = w.entry!;
    const header = Buffer.from(JSON.stringify({ messages: e.messages, object: e.object && { key: e.object.key, contentType: e.object.contentType } }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(header.length);
    const file = join(dir, `${String(w.seq).padStart(12, '0')}.entry`);
    try {
      await writeFile(`${file}.tmp`, Buffer.concat([len, header, e.object?.body ?? Buffer.alloc(0)]));
      await rename(`${file}.tmp`, file);
      w.file = file;
      w.entry = undefined; // on disk now: memory holds only the queue
    } catch (err) {
      // a full or broken disk: keep this one in memory (still bounded) rather than lose it
      if (!this.writeFailureLogged) { this.writeFailureLogged = true; this.o.logger?.warn({ err, dir }, 'outbox: cannot write to disk; keeping entries in memory'); }
    }
  }

  private async read(w: Waiting): Promise<OutboxEntry> {
    await w.written;
    if (w.entry) return w.entry;
    const buf = await readFile(w.file!);
    const n = buf.readUInt32BE(0);
    const header = JSON.parse(buf.subarray(4, 4 + n).toString('utf8')) as { messages: OutboxMessage[]; object?: { key: string; contentType: string } };
    return { messages: header.messages, ...(header.object ? { object: { ...header.object, body: buf.subarray(4 + n) } } : {}) };
  }

  private async remove(w: Waiting) {
    await w.written;
    if (w.file) await unlink(w.file).catch(() => {});
  }

  private kick() {
    if (!this.closed) this.running ??= this.run().finally(() => { this.running = undefined; });
  }

  private async run() {
    const initial = this.o.retry?.initialMs ?? 250;
    let delay = initial;
    let failingSince = 0;
    let lastDepthLog = 0;
    while (!this.closed && this.queue.length > 0) {
      const w = this.queue[0];
      this.inFlight = w;
      try {
        const e = await this.read(w);
        if (e.object && !w.stored) {
          if (!this.o.store) throw new Error('outbox: an entry carries an object but the outbox has no store');
          await this.o.store.put(e.object.key, e.object.body, e.object.contentType);
          w.stored = true;
          this.stats.stored++;
        }
        for (let i = w.published ?? 0; i < e.messages.length; i++) {
          const m = e.messages[i];
          await this.o.bus.publish(m.subject, m.data, m.msgId !== undefined ? { msgId: m.msgId } : {});
          w.published = i + 1;
          this.stats.published++;
        }
        this.queue.shift(); // w is still the head: the entry in flight is never dropped
        this.count(w, -1);
        this.stats.sent++;
        await this.remove(w);
        if (failingSince) {
          this.o.logger?.info({ waiting: this.size, bytes: this.stats.bytes, dropped: this.stats.dropped, outageMs: Date.now() - failingSince }, 'outbox: sending again');
          failingSince = 0;
          this.droppedLogged = false;
        }
        delay = initial;
      } catch (err) {
        this.stats.failures++;
        const now = Date.now();
        if (!failingSince) {
          failingSince = now;
          lastDepthLog = now;
          this.o.logger?.warn({ err, waiting: this.size, bytes: this.stats.bytes }, 'outbox: sending failed; keeping entries and retrying');
        } else if (now - lastDepthLog >= (this.o.depthLogMs ?? 10_000)) {
          lastDepthLog = now;
          this.o.logger?.warn({ err, waiting: this.size, bytes: this.stats.bytes, dropped: this.stats.dropped, outageMs: now - failingSince }, 'outbox: still waiting');
        }
        await new Promise<void>((r) => { this.wake = r; this.timer = setTimeout(r, delay); });
        this.wake = undefined;
        delay = Math.min(this.o.retry?.maxMs ?? 5000, delay * 2);
      } finally {
        this.inFlight = undefined;
      }
    }
  }
}
