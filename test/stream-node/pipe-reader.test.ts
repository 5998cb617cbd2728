/**
 * Reading a child's stdout into our own buffers (stream-node/ingest/pipe-reader.ts): every byte
 * arrives, in order, in the buffers handed out, and a stream without a pipe handle is left alone.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readPipeInto } from '../../stream-node/ingest/pipe-reader.ts';

describe('pipe reader', () => {
  it('reads all of a child\'s output, in order, into the buffers it is given', async () => {
    // 5 MB of a known pattern, written in odd-sized pieces
    const script = 'const b = Buffer.alloc(5 << 20); for (let i = 0; i < b.length; i++) b[i] = (i * 7 + (i >> 11)) & 255; let at = 0; const step = () => { while (at < b.length) { const n = Math.min(77777, b.length - at); const ok = process.stdout.write(b.subarray(at, at + n)); at += n; if (!ok) return process.stdout.once("drain", step); } }; step();';
    const expected = createHash('sha256');
    { const b = Buffer.alloc(5 << 20); for (let i = 0; i < b.length; i++) b[i] = (i * 7 + (i >> 11)) & 255; expected.update(b); }
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const target = Buffer.alloc(5 << 20);
    let filled = 0;
    const given = new Set<Uint8Array>();
    const taken = readPipeInto(child.stdout!, () => {
      const b = target.subarray(filled, Math.min(target.length, filled + 65536));
      given.add(b);
      return b.length ? b : Buffer.alloc(1);
    }, (n, buf) => {
      expect(given.has(buf)).toBe(true); // the buffer handed out, nothing of Node's own
      filled += n;
    });
    expect(taken).toBe(true);
    const end = Date.now() + 20_000;
    while (filled < 5 << 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(filled).toBe(5 << 20);
    expect(createHash('sha256').update(target).digest('hex')).toBe(expected.digest('hex'));
  });

  it('leaves a stream without a pipe handle to be read as usual', () => {
    const s = new PassThrough();
    expect(readPipeInto(s, () => Buffer.alloc(16), () => {})).toBe(false);
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.write('still mine');
    expect(Buffer.concat(chunks).toString()).toBe('still mine');
  });
});
