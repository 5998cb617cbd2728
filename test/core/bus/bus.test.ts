/**
 * One contract, two implementations: every case runs against a real nats-server with JetStream
 * (random port, temp store) and against the in-process bus.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  connectNatsBus, createMemoryBus, FaceMessageSchema, encodeEmbedding, decodeEmbedding, subjectMatches, Subjects,
  type Bus, type BusMessage, type StreamSpec,
} from '../../../core/bus/index.ts';
import type { NatsConnection } from 'nats';
import { AppError, ErrorTable } from '../../../core/errors.ts';
import { freePort } from '../../../infra/services/ports.ts';
import { EMBEDDING_DIM } from '../../../core/constants.ts';
import { startNatsServer, type NatsServer } from '../../../infra/services/nats.ts';
import { until } from '../../stream-node/helpers.ts';

let nats: NatsServer;
beforeAll(async () => { nats = await startNatsServer(); });
afterAll(async () => { await nats?.stop(); });


let n = 0;
/** a fresh stream per test so tests never see each other's messages */
const freshStream = (): StreamSpec => {
  n++;
  return { name: `T${n}_${process.pid}`, subjects: [`t${n}p${process.pid}.>`], duplicateWindowMs: 60_000 };
};

describe.each([
  ['nats', async (): Promise<Bus> => connectNatsBus({ servers: nats.url, name: 'bus-test' })],
  ['memory', async (): Promise<Bus> => createMemoryBus()],
])('%s bus', (kind, open) => {
  const buses: Bus[] = [];
  const bus = async () => { const b = await open(); buses.push(b); return b; };
  /** another process's connection; in-process, the same bus is all there is */
  const otherProcess = async (b: Bus) => (kind === 'memory' ? b : bus());
  afterEach(async () => { for (const b of buses.splice(0)) await b.close(); });

  it('publish -> durable consume -> ack; acked messages are not delivered again to the durable', async () => {
    const b = await bus();
    const stream = freshStream();
    await b.ensureStream(stream);
    const subj = `${stream.subjects[0].slice(0, -2)}.a`;
    await b.publish(subj, { i: 1 });
    await b.publish(subj, { i: 2 });
    const got: Array<BusMessage<{ i: number }>> = [];
    const sub = await b.consume<{ i: number }>({ stream, durable: 'd1', ackWaitMs: 1000 }, (m) => { got.push(m); });
    await until(() => got.length === 2, 'two messages');
    expect(got.map((m) => m.data.i)).toEqual([1, 2]);
    expect(got.map((m) => m.deliveryCount)).toEqual([1, 1]);
    expect(got[0].subject).toBe(subj);
    await sub.stop();

    // The same durable, resumed later (or by another process), continues after the acked ones.
    await b.publish(subj, { i: 3 });
    const later: number[] = [];
    const sub2 = await b.consume<{ i: number }>({ stream, durable: 'd1', ackWaitMs: 1000 }, (m) => { later.push(m.data.i); });
    await until(() => later.length >= 1, 'the third message');
    await new Promise((r) => setTimeout(r, 1500)); // past ackWait: nothing is redelivered
    expect(later).toEqual([3]);
    await sub2.stop();
  });

  it('a handler that throws gets the message again (nak), with a higher delivery count', async () => {
    const b = await bus();
    const stream = freshStream();
    await b.ensureStream(stream);
    await b.publish(`${stream.subjects[0].slice(0, -2)}.x`, { v: 'x' });
    const counts: number[] = [];
    const sub = await b.consume({ stream, durable: 'd', ackWaitMs: 5000, nakDelayMs: 100 }, (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount === 1) throw new Error('transient');
    });
    await until(() => counts.length === 2, 'the redelivery');
    expect(counts).toEqual([1, 2]);
    await sub.stop();
  });

  it('a message never acked (consumer died mid-handler) is redelivered to the durable after ackWait', async () => {
    const b = await bus();
    const stream = freshStream();
    await b.ensureStream(stream);
    await b.publish(`${stream.subjects[0].slice(0, -2)}.y`, { v: 'y' });
    let first: BusMessage | undefined;
    const stuck = await b.consume({ stream, durable: 'd', ackWaitMs: 1000 }, (m) => {
      first = m;
      return new Promise<void>(() => {}); // never settles: the process "dies" here
    });
    await until(() => first !== undefined, 'the first delivery');
    await stuck.stop();

    const b2 = await otherProcess(b);
    const again: BusMessage[] = [];
    const t0 = Date.now();
    const sub = await b2.consume({ stream, durable: 'd', ackWaitMs: 1000 }, (m) => { again.push(m); });
    await until(() => again.length === 1, 'the redelivery after ackWait');
    expect(again[0].data).toEqual({ v: 'y' });
    expect(again[0].deliveryCount).toBe(2);
    expect(again[0].seq).toBe(first!.seq);
    expect(Date.now() - t0).toBeLessThan(5000);
    await sub.stop();
  });

  it('a message id published twice within the duplicate window is stored once', async () => {
    const b = await bus();
    const stream = freshStream();
    await b.ensureStream(stream);
    const subj = `${stream.subjects[0].slice(0, -2)}.z`;
    const a = await b.publish(subj, { v: 1 }, { msgId: 'same' });
    const dup = await b.publish(subj, { v: 2 }, { msgId: 'same' });
    const other = await b.publish(subj, { v: 3 }, { msgId: 'other' });
    expect(a.duplicate).toBe(false);
    expect(dup).toEqual({ seq: a.seq, duplicate: true });
    expect(other.duplicate).toBe(false);
    const got: unknown[] = [];
    const sub = await b.consume({ stream, durable: 'd' }, (m) => { got.push(m.data); });
    await until(() => got.length === 2, 'two messages');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([{ v: 1 }, { v: 3 }]);
    await sub.stop();
  });

  it('filterSubject limits a durable to matching subjects', async () => {
    const b = await bus();
    const stream = freshStream();
    await b.ensureStream(stream);
    const base = stream.subjects[0].slice(0, -2);
    await b.publish(`${base}.1.7`, { cam: 7 });
    await b.publish(`${base}.2.8`, { cam: 8 });
    await b.publish(`${base}.1.9`, { cam: 9 });
    const got: unknown[] = [];
    const sub = await b.consume({ stream, durable: 'only1', filterSubject: `${base}.1.*` }, (m) => { got.push(m.data); });
    await until(() => got.length === 2, 'task 1 messages');
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([{ cam: 7 }, { cam: 9 }]);
    await sub.stop();
  });

  it('publishing to a subject no stream holds fails with BUS_UNAVAILABLE-coded error', async () => {
    const b = await bus();
    await expect(b.publish(`nostream${process.pid}.x`, {})).rejects.toMatchObject({ code: 5005 });
  });

  it('emit/subscribe: fire-and-forget with wildcards; a queue group delivers each message once', async () => {
    const b = await bus();
    const all: string[] = [];
    const q: string[] = [];
    const s1 = b.subscribe<{ s: string }>(Subjects.cameraStateAll, (d, subject) => { all.push(`${subject}:${d.s}`); });
    const qa = b.subscribe<{ s: string }>(Subjects.cameraStateAll, (d) => { q.push(`a:${d.s}`); }, { queue: 'g' });
    const qb = b.subscribe<{ s: string }>(Subjects.cameraStateAll, (d) => { q.push(`b:${d.s}`); }, { queue: 'g' });
    if ('connection' in b) await (b as unknown as { connection: { flush(): Promise<void> } }).connection.flush();
    for (let i = 0; i < 10; i++) b.emit(Subjects.cameraState(3), { s: String(i) });
    await until(() => all.length === 10 && q.length === 10, 'ten deliveries each');
    expect(all[0]).toBe('camera.state.3:0');
    expect(new Set(q.map((x) => x.slice(2))).size).toBe(10);
    for (const s of [s1, qa, qb]) await s.stop();
  });
});

describe('memory bus redelivery', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('a nak is redelivered when its delay has passed, whatever the wall clock says', async () => {
    // Date.now() and timers run on different clocks (wall vs monotonic, each rounded to a ms): a
    // timer can fire while Date.now() is still before the due time. Here the wall clock stands
    // still (only Date is faked), the extreme of that; the redelivery must come from the timer.
    const b = createMemoryBus();
    try {
      const stream = freshStream();
      await b.ensureStream(stream);
      await b.publish(`${stream.subjects[0].slice(0, -2)}.w`, { v: 'w' });
      vi.useFakeTimers({ toFake: ['Date'] });
      const counts: number[] = [];
      const sub = await b.consume({ stream, durable: 'd', ackWaitMs: 30_000, nakDelayMs: 50 }, (m) => {
        counts.push(m.deliveryCount);
        if (m.deliveryCount === 1) throw new Error('transient');
      });
      await until(() => counts.length === 2, 'the redelivery', 5_000);
      expect(counts).toEqual([1, 2]);
      await sub.stop();
    } finally {
      vi.useRealTimers();
      await b.close();
    }
  });
});

describe('nats bus unavailable', () => {
  it('connecting to an address where no nats-server listens fails with BUS_UNAVAILABLE, naming the address', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const err = await connectNatsBus({ servers: url }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: ErrorTable.BUS_UNAVAILABLE.code, message: `cannot connect to NATS at ${url}` });
  });
});

describe('nats bus durability', () => {
  it('messages and the durable position survive a nats-server restart', async () => {
    const b = await connectNatsBus({ servers: nats.url, name: 'restart-test' });
    try {
      const stream = freshStream();
      await b.ensureStream(stream);
      const subj = `${stream.subjects[0].slice(0, -2)}.r`;
      await b.publish(subj, { i: 1 });
      const got: number[] = [];
      const sub = await b.consume<{ i: number }>({ stream, durable: 'd', ackWaitMs: 1000 }, (m) => { got.push(m.data.i); });
      await until(() => got.length === 1, 'first message');
      await sub.stop();
      await ackReachedServer(b, stream, 'd', 1);
      await b.publish(subj, { i: 2 });
      await nats.restart(); // stop + start on the same port and store
      const sub2 = await retry(() => b.consume<{ i: number }>({ stream, durable: 'd', ackWaitMs: 1000 }, (m) => { got.push(m.data.i); }));
      await until(() => got.length >= 2, 'second message after restart', 15_000);
      await new Promise((r) => setTimeout(r, 1200));
      expect(got).toEqual([1, 2]);
      await sub2.stop();
    } finally {
      await b.close();
    }
  });
});

describe('nats bus across a server restart', () => {
  it('a running consumer keeps receiving after nats-server restarts', async () => {
    const b = await connectNatsBus({ servers: nats.url, name: 'live-consumer' });
    try {
      const stream = freshStream();
      await b.ensureStream(stream);
      const subj = `${stream.subjects[0].slice(0, -2)}.live`;
      const got: number[] = [];
      const sub = await b.consume<{ i: number }>({ stream, durable: 'live', ackWaitMs: 1000 }, (m) => { got.push(m.data.i); });
      await b.publish(subj, { i: 1 });
      await until(() => got.length === 1, 'first message');
      await ackReachedServer(b, stream, 'live', 1);
      await nats.restart();
      await retry(() => b.publish(subj, { i: 2 }));
      await until(() => got.includes(2), 'a message published after the restart', 20_000);
      expect(got).toEqual([1, 2]);
      await sub.stop();
    } finally {
      await b.close();
    }
  });
});

describe('messages', () => {
  it('FaceMessage carries a base64 float32 embedding that decodes to the same numbers', () => {
    const v = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.sin(i));
    // as sent (the parsed message holds the decoded embedding)
    const msg = {
      message_id: 'node1-1-2-5-0', task_id: 1, camera_id: 2, camera_list: 1, capture_time: Date.now(),
      box: { x: 10, y: 20, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(v),
      capture_url: 'captures/1/2/x.jpg', node: 'node1',
    };
    expect(Array.from(FaceMessageSchema.parse(msg).embedding)).toEqual(Array.from(v));
    expect(Array.from(decodeEmbedding(msg.embedding))).toEqual(Array.from(v));
    expect(FaceMessageSchema.safeParse({ ...msg, embedding: encodeEmbedding(v.subarray(1)) }).success).toBe(false);
    expect(FaceMessageSchema.safeParse({ ...msg, embedding: Array.from(v) }).success).toBe(true);
    expect(FaceMessageSchema.safeParse({ ...msg, camera_list: 3 }).success).toBe(false);
    // the appearance is optional (older nodes); its start and the capture time must fit a Date
    expect(FaceMessageSchema.safeParse({ ...msg, appearance: 'node1-1-2-0', appearance_start: msg.capture_time }).success).toBe(true);
    expect(FaceMessageSchema.safeParse({ ...msg, appearance_start: 9e15 }).success).toBe(false);
    expect(FaceMessageSchema.safeParse({ ...msg, capture_time: 9e15 }).success).toBe(false);
    expect(FaceMessageSchema.safeParse({ ...msg, appearance: '' }).success).toBe(false);
  });

  it('subject wildcards match like NATS', () => {
    expect(subjectMatches('faces.>', 'faces.1.2')).toBe(true);
    expect(subjectMatches('faces.>', 'faces')).toBe(false);
    expect(subjectMatches('faces.*.2', 'faces.1.2')).toBe(true);
    expect(subjectMatches('faces.*', 'faces.1.2')).toBe(false);
    expect(subjectMatches('faces.1.2', 'faces.1.2')).toBe(true);
    expect(subjectMatches('faces.1.2', 'faces.1.3')).toBe(false);
    expect(Subjects.faces(4, 9)).toBe('faces.4.9');
  });
});

/**
 * Waits until the server has taken the durable's ack of `seq`. An ack is sent without waiting for a
 * reply and JetStream applies it on its own goroutine; a restart before then redelivers the message
 * (at-least-once, which the matcher absorbs by message_id). These tests ask about what was acked.
 */
async function ackReachedServer(b: Bus, stream: StreamSpec, durable: string, seq: number): Promise<void> {
  const jsm = await (b as Bus & { connection: NatsConnection }).connection.jetstreamManager();
  await until(async () => {
    const info = await jsm.consumers.info(stream.name, durable);
    return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0;
  }, `the server to apply the ack of ${seq}`);
}

async function retry<T>(fn: () => Promise<T>, tries = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try { return await fn(); } catch (e) { if (i >= tries) throw e; await new Promise((r) => setTimeout(r, 250)); }
  }
}
