import { describe, expect, it } from 'vitest';
import { Gate } from '../../core/gate.ts';
import { RateLimiter } from '../../core/rate-limit.ts';

describe('Gate', () => {
  it('runs at most `concurrency` at once, queues `queue` more, refuses the rest with SERVER_BUSY', async () => {
    const gate = new Gate(2, 3, 'jobs running');
    let running = 0, most = 0;
    const job = () => gate.run(async () => {
      running++; most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return 'done';
    });
    const results = await Promise.allSettled(Array.from({ length: 8 }, job));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(3);
    expect(refused[0].reason).toMatchObject({ kind: 'SERVER_BUSY', message: 'server is busy: 2 jobs running and 3 waiting; try again shortly' });
    expect(most).toBe(2);
    expect([gate.active, gate.queued]).toEqual([0, 0]);
  });

  it('hands a freed slot to the one waiting, never one more than `concurrency` at once', async () => {
    const gate = new Gate(1, 1, 'x');
    const release = await gate.acquire();
    const waiting = gate.acquire();
    release();
    let newcomerIn = false;
    const newcomer = gate.acquire().then((r) => { newcomerIn = true; return r; });
    const second = await waiting; // the waiter has the slot
    expect(newcomerIn).toBe(false);
    expect(gate.active).toBe(1);
    second();
    (await newcomer)();
    expect([gate.active, gate.queued]).toEqual([0, 0]);
  });
});

describe('RateLimiter', () => {
  it('allows perMinute calls per key at once, then one more per 60 s / perMinute', () => {
    const limiter = new RateLimiter(3, '/X');
    for (let i = 0; i < 3; i++) limiter.take(1, 0);
    expect(() => limiter.take(1, 0)).toThrow(expect.objectContaining({ kind: 'RATE_LIMITED', message: '/X: at most 3 calls a minute; try again in 20 s' }));
    limiter.take(2, 0); // another key has its own
    limiter.take(1, 20_000);
    expect(() => limiter.take(1, 20_000)).toThrow(expect.objectContaining({ kind: 'RATE_LIMITED' }));
  });
});
