/**
 * The motion gate on synthetic RGB frames: what counts as the same scene (sensor noise, nothing)
 * and what does not (a face-sized change, a slow change that adds up, a new size), and the refresh.
 */
import { describe, expect, it } from 'vitest';
import { MotionGate } from '../../stream-node/pipeline/motion.ts';

const W = 960, H = 540;

/** a textured scene (gradients and blocks, as a corridor has edges), optionally with noise */
function scene(opts: { noise?: number; seed?: number; shift?: number } = {}) {
  const data = new Uint8Array(W * H * 3);
  let s = opts.seed ?? 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const base = ((x >> 5) + (y >> 5)) % 2 ? 150 : 70;
    const v = base + ((x + y) % 40) + (opts.shift ?? 0);
    for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v + (opts.noise ? rnd() * 2 * opts.noise : 0))));
  }
  return data;
}

/** paints a w x h grey square at (x, y) */
function patch(data: Uint8Array, x: number, y: number, w: number, h: number, value = 230) {
  const out = new Uint8Array(data);
  for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) out.fill(value, (j * W + i) * 3, (j * W + i) * 3 + 3);
  return out;
}

const frame = (data: Uint8Array, time: number, width = W, height = H) => ({ data, width, height, time });

describe('motion gate', () => {
  it('the first frame is detected; the same scene again is not, with noise of ±6 levels either', () => {
    const gate = new MotionGate();
    const a = frame(scene(), 0);
    expect(gate.needsDetection(a)).toBe(true);
    gate.detected(a);
    expect(gate.needsDetection(frame(scene(), 1000))).toBe(false);
    expect(gate.needsDetection(frame(scene({ noise: 6, seed: 7 }), 2000))).toBe(false);
    expect(gate.needsDetection(frame(scene({ noise: 6, seed: 9 }), 3000))).toBe(false);
  });

  it('a change the size of the smallest face the detector finds (24 px) is a change; 8 px is not', () => {
    const gate = new MotionGate();
    const base = scene();
    gate.detected(frame(base, 0));
    expect(gate.needsDetection(frame(patch(base, 500, 300, 24, 24), 1000))).toBe(true);
    expect(gate.needsDetection(frame(patch(base, 500, 300, 8, 8), 1000))).toBe(false);
  });

  it('compares with the last frame detected, so a slow change adds up until it counts', () => {
    const gate = new MotionGate();
    gate.detected(frame(scene(), 0));
    const results = [4, 8, 12, 16, 20].map((shift, i) => gate.needsDetection(frame(scene({ shift }), 1000 * (i + 1) * 0.5)));
    // each step is 4 levels from the last frame, under the threshold; the sum passes it
    expect(results.slice(0, 3)).toEqual([false, false, false]);
    expect(results.slice(3)).toEqual([true, true]);
  });

  it('detects at least every refreshMs, and a frame of another size at once', () => {
    const gate = new MotionGate({ refreshMs: 4000 });
    const base = scene();
    gate.detected(frame(base, 0));
    expect(gate.needsDetection(frame(base, 3999))).toBe(false);
    expect(gate.needsDetection(frame(base, 4000))).toBe(true);
    expect(gate.needsDetection(frame(new Uint8Array(640 * 360 * 3), 1000, 640, 360))).toBe(true);
  });

  it('takes the detected frame as the new reference', () => {
    const gate = new MotionGate();
    const base = scene();
    const changed = patch(base, 100, 100, 64, 64);
    gate.detected(frame(base, 0));
    expect(gate.needsDetection(frame(changed, 1000))).toBe(true);
    gate.detected(frame(changed, 1000));
    expect(gate.needsDetection(frame(changed, 2000))).toBe(false);
    expect(gate.needsDetection(frame(base, 3000))).toBe(true); // the square left
  });
});
