/**
 * When the webhook dispatcher runs a round: new events (events.appended, one per capture) wake it
 * only while the AlarmWebhook is enabled; disabled, it looks again on its own clock (idleMs), which
 * is how it notices being enabled (it takes the log's position then, and forgets it when disabled). Real repository on embedded PGlite, in-process bus; the receiver
 * is not reached (nothing is enabled with events to send). End to end: test/functions/webhook.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, type Bus } from '../../core/bus/index.ts';
import { createLogger } from '../../core/log.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createWebhookRepo } from '../../db/repositories/webhook.ts';
import { announceEvents } from '../../functions/services/events.ts';
import type { WebhookConfig } from '../../functions/services/webhook.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../workers/webhook.ts';
import { until } from '../stream-node/helpers.ts';

let db: Database;
let bus: Bus;
let dispatcher: WebhookDispatcher;
let repo: ReturnType<typeof createWebhookRepo>;
let rounds = 0;
let config: WebhookConfig | null = null;

beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null });
  bus = createMemoryBus();
  repo = createWebhookRepo(db.orm);
  // each round starts with the lease
  const counted = { ...repo, lease: (owner: string, ttlMs: number) => { rounds++; return repo.lease(owner, ttlMs); } };
  dispatcher = createWebhookDispatcher({
    repo: counted, config: async () => config, bus, log: createLogger('silent'),
    sender: { post: async () => ({ ok: true }) as never, close: () => {} },
    retryBaseMs: 100, retryMaxMs: 400, giveUpMs: 60_000,
    idleMs: 60_000, // its own clock out of the way: only wakes run rounds here
  });
  dispatcher.start();
});
afterAll(async () => {
  await dispatcher?.stop();
  await bus?.close();
  await db?.close();
});

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('webhook dispatcher rounds', () => {
  it('disabled: new events run no round', async () => {
    await until(async () => rounds === 1, 'the first round');
    for (let i = 0; i < 5; i++) announceEvents(bus);
    await settle();
    expect(rounds).toBe(1);
  });

  it('enabled (noticed by a round of its own clock): each new event runs one', async () => {
    config = { url: new URL('http://127.0.0.1:9/hook'), secret: 'x'.repeat(32), events: ['alarm'], enabled: true };
    dispatcher.wake(); // what idleMs does
    await until(async () => rounds === 2, 'the round that sees it enabled');
    await until(async () => (await repo.status()).intakeCursor !== null, 'the intake position taken');
    announceEvents(bus);
    await until(async () => rounds === 3, 'a round for the new event');
    config = { ...config, enabled: false };
    announceEvents(bus);
    await until(async () => rounds === 4, 'the round that sees it disabled');
    await until(async () => (await repo.status()).intakeCursor === null, 'the intake position forgotten');
    expect((await repo.status()).owner).toBe(dispatcher.owner); // the lease renewed every round
    announceEvents(bus);
    await settle();
    expect(rounds).toBe(4);
  });
});
