/**
 * The outbox keeps what a stream node sends while nats-server or the object store is down and sends
 * it when they are back: each object stored before its messages are published, in order, nothing
 * lost within the bounds, the oldest dropped (and counted) beyond them; on disk, what one run left is
 * sent by the next. Real nats-server and S3 server (s3rver), each stopped for a few seconds.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, Outbox, type Bus, type OutboxEntry, type StreamSpec } from '../../../core/bus/index.ts';
import { S3ObjectStore } from '../../../core/storage/s3.ts';
import { startS3Server, type S3Server } from '../../../infra/services/index.ts';
import { startNatsServer, type NatsServer } from '../../../infra/services/nats.ts';
import { until } from '../../stream-node/helpers.ts';

let nats: NatsServer;
let s3: S3Server;
let store: S3ObjectStore;
let bus: Bus;
let dir: string;
beforeAll(async () => {
  [nats, s3, dir] = await Promise.all([startNatsServer(), startS3Server(), mkdtemp(join(tmpdir(), 'facewatch-outbox-'))]);
  bus = await connectNatsBus({ servers: nats.url, name: 'outbox-test' });
  store = new S3ObjectStore({ kind: 's3', endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
});
afterAll(async () => {
  await bus?.close();
  await store?.close();
  await Promise.all([nats?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

let n = 0;
const freshStream = async (): Promise<{ stream: StreamSpec; subject: string }> => {
  n++;
  const stream = { name: `OUT${n}_${process.pid}`, subjects: [`out${n}p${process.pid}.>`], duplicateWindowMs: 60_000 };
  await bus.ensureStream(stream);
  return { stream, subject: `out${n}p${process.pid}.faces` };
};
const entry = (subject: string, i: number, withObject = false): OutboxEntry => ({
  ...(withObject ? { object: { key: `captures/t${n}/${i}.jpg`, body: Buffer.alloc(1000, i), contentType: 'image/jpeg' } } : {}),
  messages: [{ subject, data: { i, key: withObject ? `captures/t${n}/${i}.jpg` : undefined }, msgId: `t${n}-m${i}` }],
});

/** everything in the stream, in order, read by a durable consumer; `check` runs on each message as it arrives */
async function readAll(stream: StreamSpec, expected: number, check?: (d: { i: number; key?: string }) => Promise<void>): Promise<number[]> {
  const got: number[] = [];
  const sub = await bus.consume<{ i: number; key?: string }>({ stream, durable: 'reader', ackWaitMs: 2000 }, async (m) => {
    await check?.(m.data);
    got.push(m.data.i);
  });
  try {
    await until(() => got.length >= expected, `${expected} messages in the stream`, 20_000, () => JSON.stringify(got));
    await new Promise((r) => setTimeout(r, 500)); // and no more than that
  } finally {
    await sub.stop();
  }
  return got;
}

describe('outbox', () => {
  it('publishes made while nats-server is down are kept and sent, in order, once it is back', async () => {
    const { stream, subject } = await freshStream();
    const outbox = new Outbox({ bus, retry: { initialMs: 100, maxMs: 500 } });
    outbox.push(entry(subject, 0));
    await until(() => outbox.stats.sent === 1, 'the first message sent');
    const outage = nats.restart({ downMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 1; i <= 5; i++) outbox.push(entry(subject, i));
    expect(outbox.stats.waiting).toBe(5);
    await outage;
    await until(() => outbox.size === 0, 'the outbox to empty after the outage', 30_000);
    expect(outbox.stats.failures).toBeGreaterThan(0); // it was down, and retried
    expect(outbox.stats).toMatchObject({ dropped: 0, waiting: 0, bytes: 0, published: 6 });
    expect(await readAll(stream, 6)).toEqual([0, 1, 2, 3, 4, 5]); // each once: retries are deduped by msgId
    outbox.close();
  });

  it('while the object store is down, crops and their messages wait; then each crop is stored before its message, in order', async () => {
    const { stream, subject } = await freshStream();
    const outbox = new Outbox({ bus, store, dir: join(dir, 'store-outage'), retry: { initialMs: 100, maxMs: 500 } });
    await outbox.open();
    outbox.push(entry(subject, 0, true));
    await until(() => outbox.stats.sent === 1, 'the first entry sent');
    const outage = s3.restart({ downMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 1; i <= 5; i++) outbox.push(entry(subject, i, true));
    await new Promise((r) => setTimeout(r, 1000));
    expect(outbox.stats).toMatchObject({ stored: 1, published: 1, waiting: 5 }); // nothing published without its crop
    expect((await readdir(join(dir, 'store-outage'))).length).toBe(5); // waiting on disk
    await outage;
    await until(() => outbox.size === 0, 'the outbox to empty after the outage', 30_000);
    expect(outbox.stats).toMatchObject({ stored: 6, published: 6, dropped: 0 });
    expect(outbox.stats.failures).toBeGreaterThan(0);
    // every message's crop is in the store by the time the message can be read
    const got = await readAll(stream, 6, async (d) => { expect((await store.get(d.key!)).length).toBe(1000); });
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await readdir(join(dir, 'store-outage'))).toEqual([]);
    outbox.close();
  });

  it('on disk, what one run could not send is sent by the next run on the same folder, first', async () => {
    const { stream, subject } = await freshStream();
    const folder = join(dir, 'restart');
    const first = new Outbox({ bus, store, dir: folder, retry: { initialMs: 100, maxMs: 500 } });
    await first.open();
    const outage = s3.restart({ downMs: 2500 });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) first.push(entry(subject, i, true));
    await until(async () => (await readdir(folder)).filter((f) => f.endsWith('.entry')).length === 3, 'three entries on disk');
    first.close(); // the node stops (or crashes) with the store still down
    await outage;
    const second = new Outbox({ bus, store, dir: folder, retry: { initialMs: 100, maxMs: 500 } });
    await second.open();
    second.push(entry(subject, 3, true));
    await until(() => second.size === 0, 'the second run to send everything', 30_000);
    expect(await readAll(stream, 4, async (d) => { expect((await store.get(d.key!)).length).toBe(1000); })).toEqual([0, 1, 2, 3]);
    second.close();
  });

  it('beyond its bounds the outbox drops the oldest waiting entries and counts them', async () => {
    const { stream, subject } = await freshStream();
    const outbox = new Outbox({ bus, maxEntries: 3, retry: { initialMs: 100, maxMs: 500 } });
    const outage = nats.restart({ downMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 1; i <= 6; i++) outbox.push(entry(subject, i));
    expect(outbox.size).toBe(3);
    expect(outbox.stats.dropped).toBe(3);
    await outage;
    expect(await outbox.flush(30_000)).toBe(true);
    // 1 was being published when the others came (kept: the bus may have it); 2, 3, 4 dropped
    expect(await readAll(stream, 3)).toEqual([1, 5, 6]);
    outbox.close();

    // a byte bound: 2.5 crops' worth keeps the one in flight and the newest
    const { stream: s2, subject: sub2 } = await freshStream();
    const small = new Outbox({ bus, store, maxBytes: 2500, retry: { initialMs: 100, maxMs: 500 } });
    const down = s3.restart({ downMs: 2500 });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 1; i <= 4; i++) small.push(entry(sub2, i, true));
    expect(small.stats.dropped).toBe(2);
    await down;
    expect(await small.flush(30_000)).toBe(true);
    expect(await readAll(s2, 2)).toEqual([1, 4]);
    small.close();
  });
});
