/** The buffer pool the stream node's frames, transfers and detector tensors reuse. */
import { describe, expect, it } from 'vitest';
import { SpareBuffers } from '../../core/spare-buffers.ts';

describe('SpareBuffers', () => {
  it('gives back a buffer of the length asked, a new one when none is spare', () => {
    const pool = new SpareBuffers((n) => new Uint8Array(n), { perLength: 2, lengths: 2 });
    const a = pool.take(16);
    expect(a.length).toBe(16);
    pool.give(a);
    expect(pool.take(32)).not.toBe(a);
    expect(pool.take(16)).toBe(a);
    expect(pool.take(16)).not.toBe(a); // taken already: a new one
  });

  it('keeps at most perLength of a length and lengths lengths', () => {
    const pool = new SpareBuffers((n) => new Float32Array(n), { perLength: 2, lengths: 1 });
    const [a, b, c] = [pool.take(4), pool.take(4), pool.take(4)];
    pool.give(a); pool.give(b); pool.give(c);
    const kept = new Set([pool.take(4), pool.take(4), pool.take(4)]);
    expect([a, b, c].filter((x) => kept.has(x))).toHaveLength(2);
    const d = pool.take(8);
    const e = pool.take(4);
    pool.give(e);
    pool.give(d); // a second length forgets the first
    expect(pool.take(8)).toBe(d);
    expect(pool.take(4)).not.toBe(e);
  });
});
