/**
 * Calls per key per minute, as a token bucket: `perMinute` at once, then one more every
 * 60 s / perMinute. In memory, per process (each API instance counts its own calls).
 */
import { AppError } from './errors.ts';

/** keys kept at most; the least recently used go first */
const MAX_KEYS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string | number, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number, private readonly what: string) {}

  /** takes one call for `key`, or RATE_LIMITED naming what and when to try again */
  take(key: string | number, now = Date.now()): void {
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    this.buckets.delete(key);
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) {
      const wait = Math.ceil(((1 - b.tokens) * 60_000) / this.perMinute / 1000);
      throw new AppError('RATE_LIMITED', `${this.what}: at most ${this.perMinute} calls a minute; try again in ${wait} s`);
    }
    b.tokens -= 1;
  }
}
