/**
 * The motion gate on synthetic RGB frames: what counts as the same scene (sensor noise, nothing)
 * and what does not (a face-sized change, a slow change that adds up, a new size), and the refresh;
 * where the change is (a region, grown around the faces it touches, or the whole frame).
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

/** whether the gate wants `f` detected at all, whole or in part */
const wantsDetection = (gate: MotionGate, f: ReturnType<typeof frame>) => gate.check(f).detect !== 'none';

describe('motion gate', () => {
  it('the first frame is detected; the same scene again is not, with noise of ±6 levels either', () => {
    const gate = new MotionGate();
    const a = frame(scene(), 0);
    expect(wantsDetection(gate, a)).toBe(true);
    gate.detected(a);
    expect(wantsDetection(gate, frame(scene(), 1000))).toBe(false);
    expect(wantsDetection(gate, frame(scene({ noise: 6, seed: 7 }), 2000))).toBe(false);
    expect(wantsDetection(gate, frame(scene({ noise: 6, seed: 9 }), 3000))).toBe(false);
  });

  it('a change the size of the smallest face the detector finds (24 px) is a change; 8 px is not', () => {
    const gate = new MotionGate();
    const base = scene();
    gate.detected(frame(base, 0));
    expect(wantsDetection(gate, frame(patch(base, 500, 300, 24, 24), 1000))).toBe(true);
    expect(wantsDetection(gate, frame(patch(base, 500, 300, 8, 8), 1000))).toBe(false);
  });

  it('compares with the last frame detected, so a slow change adds up until it counts', () => {
    const gate = new MotionGate();
    gate.detected(frame(scene(), 0));
    const results = [4, 8, 12, 16, 20].map((shift, i) => wantsDetection(gate, frame(scene({ shift }), 1000 * (i + 1) * 0.5)));
    // each step is 4 levels from the last frame, under the threshold; the sum passes it
    expect(results.slice(0, 3)).toEqual([false, false, false]);
    expect(results.slice(3)).toEqual([true, true]);
  });

  it('detects at least every refreshMs, and a frame of another size at once', () => {
    const gate = new MotionGate({ refreshMs: 4000 });
    const base = scene();
    gate.detected(frame(base, 0));
    expect(wantsDetection(gate, frame(base, 3999))).toBe(false);
    expect(wantsDetection(gate, frame(base, 4000))).toBe(true);
    expect(wantsDetection(gate, frame(new Uint8Array(640 * 360 * 3), 1000, 640, 360))).toBe(true);
  });

  it('takes the detected frame as the new reference', () => {
    const gate = new MotionGate();
    const base = scene();
    const changed = patch(base, 100, 100, 64, 64);
    gate.detected(frame(base, 0));
    expect(wantsDetection(gate, frame(changed, 1000))).toBe(true);
    gate.detected(frame(changed, 1000));
    expect(wantsDetection(gate, frame(changed, 2000))).toBe(false);
    expect(wantsDetection(gate, frame(base, 3000))).toBe(true); // the square left
  });

  it('a change in one part of the frame is a region: the changed cells and 32 px around them', () => {
    const gate = new MotionGate();
    const base = scene();
    gate.detected(frame(base, 0));
    // (a change on the cells' 8 px grid, so its cells are exactly the square's)
    const v = gate.check(frame(patch(base, 504, 304, 48, 64), 1000));
    expect(v).toEqual({ detect: 'region', region: { x: 504 - 32, y: 304 - 32, width: 48 + 64, height: 64 + 64 } });
    // at the frame's edge the region is cut to the frame
    const edge = gate.check(frame(patch(base, 0, 504, 40, 36), 1000));
    expect(edge).toEqual({ detect: 'region', region: { x: 0, y: 472, width: 72, height: 68 } });
  });

  it('the whole frame when the change is wide, scattered, or regions are off', () => {
    const base = scene();
    const gate = new MotionGate();
    gate.detected(frame(base, 0));
    expect(gate.check(frame(patch(patch(base, 16, 16, 48, 48), 880, 460, 48, 48), 1000))).toEqual({ detect: 'frame' }); // two corners
    expect(gate.check(frame(scene({ shift: 30 }), 1000))).toEqual({ detect: 'frame' }); // the light changed
    let specks = base; // lone 8 px specks, one per cell, far apart: changed cells but no place
    for (let i = 0; i < 20; i++) specks = patch(specks, 40 + i * 40, 40 + (i % 5) * 96, 8, 8);
    expect(gate.check(frame(specks, 1000))).toEqual({ detect: 'frame' });
    const off = new MotionGate({ regions: false });
    off.detected(frame(base, 0));
    expect(off.check(frame(patch(base, 500, 300, 48, 64), 1000))).toEqual({ detect: 'frame' });
  });

  it('a region grows to hold the known faces it touches', () => {
    const gate = new MotionGate();
    const base = scene();
    gate.detected(frame(base, 0));
    const face = { x: 570, y: 280, width: 80, height: 100 }; // overlaps the change's margin
    const far = { x: 100, y: 100, width: 80, height: 100 };
    const v = gate.check(frame(patch(base, 504, 304, 48, 64), 1000), [face, far]);
    expect(v).toEqual({ detect: 'region', region: { x: 472, y: 272, width: 650 - 472, height: 128 } });
  });

  it('after a region only its cells are the new reference, and regions do not put off the refresh', () => {
    const gate = new MotionGate({ refreshMs: 4000 });
    gate.detected(frame(scene(), 0));
    // someone stepped up at one spot while the light rose by 8 levels everywhere (under the threshold)
    const f1 = frame(patch(scene({ shift: 8 }), 500, 300, 48, 64), 1000);
    const v = gate.check(f1);
    expect(v.detect).toBe('region');
    gate.detected(f1, v.detect === 'region' ? v.region : undefined);
    expect(gate.check(frame(f1.data, 2000))).toEqual({ detect: 'none' });
    // the light rises 8 more: 16 against what was detected outside the region, so it counts now
    expect(gate.check(frame(patch(scene({ shift: 16 }), 500, 300, 48, 64), 2500)).detect).not.toBe('none');
    expect(gate.check(frame(f1.data, 4000))).toEqual({ detect: 'frame' }); // 4 s after the last whole frame
  });
});
