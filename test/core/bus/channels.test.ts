/**
 * Typed channels (core/bus/channels.ts) on the in-process bus: messages parsed once where they
 * arrive, malformed ones ignored (events) or dead-lettered at once (streams), a handler failing every
 * time dead-lettered after maxDeliver while the next message goes through, and a dependency outage
 * retried, never dead-lettered. The matcher's end-to-end version is test/workers/dead-letters.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Channels, connectNatsBus, createMemoryBus, encodeEmbedding, FaceMessageSchema, Streams, type Bus, type DeadLetter, type FaceMessage,
} from '../../../core/bus/index.ts';
import { startNatsServer, type NatsServer } from '../../../infra/services/nats.ts';
import { EMBEDDING_DIM } from '../../../core/constants.ts';
import { AppError } from '../../../core/errors.ts';
import { until } from '../../stream-node/helpers.ts';

const unit = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.cos(i));
const face = (id: string, over: Partial<FaceMessage> = {}): FaceMessage => ({
  message_id: id, task_id: 1, camera_id: 2, camera_list: 1, capture_time: Date.now(), box: { x: 1, y: 2, width: 30, height: 40 },
  quality: 0.8, embedding: encodeEmbedding(unit), capture_url: 'captures/2026-01-01/2/n-1-1-0.jpg', node: 'n', ...over,
});

/** every dead letter in the stream, read with a consumer of its own */
let readers = 0;
async function deadLetters(bus: Bus): Promise<DeadLetter[]> {
  const got: DeadLetter[] = [];
  const durable = `reader${++readers}`;
  const sub = await bus.consume({ stream: Streams.DEAD_LETTERS, durable }, (m) => { got.push(m.data as DeadLetter); });
  await until(async () => (await bus.pending(Streams.DEAD_LETTERS, durable)) === 0, 'the dead letters read');
  await sub.stop();
  return got;
}

let bus: Bus;
let nats: NatsServer | undefined;
beforeAll(async () => { nats = await startNatsServer(); }, 60_000);
afterAll(async () => { await nats?.stop(); });
afterEach(async () => { await bus?.close(); });
let durables = 0;
const buses = {
  memory: async () => createMemoryBus(),
  nats: async () => {
    const b = await connectNatsBus({ servers: nats!.url, name: 'channels-test' });
    // a fresh stream per test: the streams' names are fixed
    const jsm = await b.connection.jetstreamManager();
    for (const s of [Streams.FACES.name, Streams.DEAD_LETTERS.name]) await jsm.streams.delete(s).catch(() => false);
    return b;
  },
};

describe('face messages are checked at decode', () => {
  it.each([
    ['a non-finite value', encodeEmbedding(Float32Array.from(unit, (x, i) => (i === 7 ? Number.NaN : x))), 'non-finite'],
    ['an infinite value', encodeEmbedding(Float32Array.from(unit, (x, i) => (i === 0 ? Infinity : x))), 'non-finite'],
    ['all zeros', encodeEmbedding(new Float32Array(EMBEDDING_DIM)), 'all zeros'],
    ['one float short', encodeEmbedding(unit.subarray(1)), `${EMBEDDING_DIM} float32`],
    ['not base64', '@'.repeat(2732), `${EMBEDDING_DIM} float32`],
    ['a short array', Array.from(unit).slice(1), 'embedding'],
  ])('an embedding with %s is refused', (_what, embedding, why) => {
    const r = FaceMessageSchema.safeParse(face('x', { embedding }));
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(why);
  });

  it('a good one decodes to the same floats; a capture_time past what a Date holds is refused', () => {
    const r = FaceMessageSchema.parse(face('x'));
    expect(r.embedding).toEqual(unit);
    expect(FaceMessageSchema.safeParse(face('x', { capture_time: 9e15 })).success).toBe(false);
  });
});

describe('event channels', () => {
  it('deliver parsed messages and ignore malformed ones', async () => {
    bus = createMemoryBus();
    const got: number[] = [];
    Channels.sessionsEnded.listen(bus, (m) => got.push(m.user_id));
    bus.emit(Channels.sessionsEnded.pattern, { user_id: 'x' });
    bus.emit(Channels.sessionsEnded.pattern, null);
    Channels.sessionsEnded.emit(bus, { user_id: 4 });
    await until(async () => got.length > 0, 'a message');
    expect(got).toEqual([4]);
  });
});

describe.each(['memory', 'nats'] as const)('stream channels: poison messages (%s bus)', (kind) => {
  it('a malformed message is dead-lettered at its first delivery; one failing every time after maxDeliver; the next goes through', async () => {
    bus = await buses[kind]();
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const dead: DeadLetter[] = [];
    await Channels.faces.consume(bus, { durable: `m${++durables}`, maxDeliver: 3, retryMs: 10, onDeadLetter: (d) => dead.push(d) }, async (m) => {
      attempts.set(m.message_id, (attempts.get(m.message_id) ?? 0) + 1);
      if (m.message_id === 'poison') throw new Error('constraint says no');
      handled.push(m.message_id);
    });
    await Channels.faces.publish(bus, face('zeros', { embedding: encodeEmbedding(new Float32Array(EMBEDDING_DIM)) }));
    await Channels.faces.publish(bus, face('poison'));
    await Channels.faces.publish(bus, face('good'));
    await until(async () => dead.length === 2 && handled.includes('good'), 'two dead letters and the good message');
    dead.sort((a, b) => a.reason.localeCompare(b.reason)).reverse(); // malformed, failed
    expect(attempts.get('zeros')).toBeUndefined(); // never reached the handler
    expect(attempts.get('poison')).toBe(3);
    expect(dead.map((d) => [d.reason, d.deliveries, (d.data as FaceMessage).message_id])).toEqual([['malformed', 1, 'zeros'], ['failed', 3, 'poison']]);
    expect(dead[0].error).toContain('all zeros');
    expect(dead[1].error).toBe('constraint says no');
    const kept = await deadLetters(bus);
    expect(kept.map((d) => d.subject)).toEqual(['faces.1.2', 'faces.1.2']);
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts.get('poison')).toBe(3); // not delivered again
  });

  it('a dependency outage is retried past maxDeliver and never dead-lettered', async () => {
    bus = await buses[kind]();
    let down = 5;
    const handled: string[] = [];
    const dead: DeadLetter[] = [];
    await Channels.faces.consume(bus, { durable: `m${++durables}`, maxDeliver: 2, retryMs: 5, onDeadLetter: (d) => dead.push(d) }, async (m) => {
      if (down-- > 0) throw new AppError('DB_UNAVAILABLE');
      handled.push(m.message_id);
    });
    await Channels.faces.publish(bus, face('a'));
    await until(async () => handled.length === 1, 'handled after the outage');
    expect(handled).toEqual(['a']);
    expect(dead).toEqual([]);
  });
});
