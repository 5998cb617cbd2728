/**
 * The outbox keeps what a stream node publishes while nats-server is down and sends it when it is
 * back: in order, nothing lost within the bound, the oldest dropped (and counted) beyond it. Real
 * nats-server, stopped for a few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, Outbox, type Bus, type StreamSpec } from '../../../core/bus/index.ts';
import { startNatsServer, type NatsServer } from '../../../infra/services/nats.ts';
import { until } from '../../stream-node/helpers.ts';

let nats: NatsServer;
let bus: Bus & { connection: { isClosed(): boolean } };
beforeAll(async () => {
  nats = await startNatsServer();
  bus = await connectNatsBus({ servers: nats.url, name: 'outbox-test' });
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

let n = 0;
const freshStream = (): StreamSpec => {
  n++;
  return { name: `OUT${n}_${process.pid}`, subjects: [`out${n}p${process.pid}.>`], duplicateWindowMs: 60_000 };
};

/** everything in the stream, in order, read by a durable consumer */
async function readAll(stream: StreamSpec, expected: number): Promise<number[]> {
  const got: number[] = [];
  const sub = await bus.consume<{ i: number }>({ stream, durable: 'reader', ackWaitMs: 2000 }, (m) => { got.push(m.data.i); });
  try {
    await until(() => got.length >= expected, `${expected} messages in the stream`, 20_000, () => JSON.stringify(got));
    await new Promise((r) => setTimeout(r, 500)); // and no more than that
  } finally {
    await sub.stop();
  }
  return got;
}

describe('bus outbox', () => {
  it('publishes made while nats-server is down are kept and sent, in order, once it is back', async () => {
    const stream = freshStream();
    await bus.ensureStream(stream);
    const subject = `${stream.subjects[0].slice(0, -2)}.faces`;
    const outbox = new Outbox({ bus, retry: { initialMs: 100, maxMs: 500 } });
    outbox.push(subject, { i: 0 }, { msgId: 'm0' });
    await until(() => outbox.stats.sent === 1, 'the first message sent');
    const outage = nats.restart({ downMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 1; i <= 5; i++) outbox.push(subject, { i }, { msgId: `m${i}` });
    await outage;
    await until(() => outbox.size === 0, 'the outbox to empty after the outage', 30_000);
    expect(outbox.stats.failures).toBeGreaterThan(0); // it was down, and retried
    expect(outbox.stats.dropped).toBe(0);
    expect(await readAll(stream, 6)).toEqual([0, 1, 2, 3, 4, 5]); // each once: retries are deduped by msgId
    outbox.close();
  });

  it('beyond its bound the outbox drops the oldest waiting messages and counts them', async () => {
    const stream = freshStream();
    await bus.ensureStream(stream);
    const subject = `${stream.subjects[0].slice(0, -2)}.faces`;
    const outbox = new Outbox({ bus, maxMessages: 3, retry: { initialMs: 100, maxMs: 500 } });
    const outage = nats.restart({ downMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 1; i <= 6; i++) outbox.push(subject, { i }, { msgId: `b${i}` });
    expect(outbox.size).toBe(3);
    expect(outbox.stats.dropped).toBe(3);
    await outage;
    expect(await outbox.flush(30_000)).toBe(true);
    // 1 was being published when the others came (kept: the bus may have it); 2, 3, 4 dropped
    expect(await readAll(stream, 3)).toEqual([1, 5, 6]);
    outbox.close();
  });
});
