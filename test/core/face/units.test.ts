import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE, apply, estimateSimilarity, warp } from '../../../core/face/align.ts';
import { decodeBmp } from '../../../core/face/bmp.ts';
import { iou, nms } from '../../../core/face/detect.ts';
import { readModel } from '../../../core/face/models.ts';
import { poseAngles } from '../../../core/face/quality.ts';
import { KNOTS, cosineToSimilarity, similarity, similarityToCosine } from '../../../core/face/similarity.ts';
import type { Point } from '../../../core/face/types.ts';
import { encodeBmp } from './pictures.ts';

describe('similarity calibration', () => {
  it('maps cosine monotonically onto [0, 1] with 0.8 at the calibrated cosine', () => {
    const cos = Array.from({ length: 201 }, (_, i) => -1 + i / 100);
    const sim = cos.map(cosineToSimilarity);
    for (let i = 1; i < sim.length; i++) expect(sim[i]).toBeGreaterThan(sim[i - 1]);
    expect(cosineToSimilarity(-1)).toBe(0);
    expect(cosineToSimilarity(1)).toBe(1);
    expect(cosineToSimilarity(KNOTS[2][0])).toBeCloseTo(0.8, 10);
    expect(cosineToSimilarity(5)).toBe(1);
  });

  it('turns a similarity threshold back into the same cosine', () => {
    for (const s of [0, 0.1, 0.3, 0.5, 0.75, 0.8, 0.9, 0.99, 1]) expect(cosineToSimilarity(similarityToCosine(s))).toBeCloseTo(s, 10);
    for (const c of [-0.9, 0, 0.2, 0.37, 0.6, 1]) expect(similarityToCosine(cosineToSimilarity(c))).toBeCloseTo(c, 10);
  });

  it('scores identical embeddings 1 and orthogonal ones at the unrelated level', () => {
    const a = new Float32Array(512); a[0] = 1;
    const b = new Float32Array(512); b[1] = 1;
    expect(similarity(a, a)).toBeCloseTo(1, 6);
    expect(similarity(a, b)).toBeCloseTo(cosineToSimilarity(0), 6);
  });
});

describe('alignment', () => {
  it('recovers a known rotation, scale and shift from the 5 points', () => {
    const t = { a: 1.7 * Math.cos(0.3), b: 1.7 * Math.sin(0.3), tx: 40, ty: -12 };
    const src = ARCFACE_TEMPLATE.map((p) => apply(t, p)) as Point[];
    const back = estimateSimilarity(src, ARCFACE_TEMPLATE);
    src.forEach((p, i) => {
      const q = apply(back, p);
      expect(q[0]).toBeCloseTo(ARCFACE_TEMPLATE[i][0], 6);
      expect(q[1]).toBeCloseTo(ARCFACE_TEMPLATE[i][1], 6);
    });
  });

  it('warps with the identity transform to an exact copy', () => {
    const data = Uint8Array.from({ length: 20 * 20 * 3 }, (_, i) => (i * 7) % 256);
    const out = warp({ data, width: 20, height: 20 }, { a: 1, b: 0, tx: 0, ty: 0 }, 19);
    expect(out.data[(5 * 19 + 7) * 3 + 1]).toBe(data[(5 * 20 + 7) * 3 + 1]);
  });
});

describe('detector post-processing', () => {
  const box = (x: number, y: number, w = 10) => ({ x, y, width: w, height: w });
  const lm = Array(5).fill([0, 0]) as never;
  it('keeps the best of overlapping boxes and separate faces', () => {
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(20, 20))).toBe(0);
    const kept = nms([
      { box: box(0, 0), score: 0.7, landmarks: lm },
      { box: box(1, 1), score: 0.9, landmarks: lm },
      { box: box(50, 50), score: 0.8, landmarks: lm },
    ]);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.8]);
  });
});

describe('pose from landmarks', () => {
  it('reads a frontal template as frontal and a shifted nose as turned', () => {
    expect(Math.abs(poseAngles(ARCFACE_TEMPLATE).yaw)).toBeLessThan(0.05);
    const turned = ARCFACE_TEMPLATE.map((p, i) => (i === 2 ? [p[0] + 15, p[1]] : p)) as typeof ARCFACE_TEMPLATE;
    expect(poseAngles(turned).yaw).toBeGreaterThan(0.2);
  });
});

describe('BMP decoder', () => {
  const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 17) % 256);
  it('decodes 24-bit bottom-up rows with row padding', () => {
    const out = decodeBmp(encodeBmp(rgb, 5, 3, 24));
    expect([out.width, out.height]).toEqual([5, 3]);
    expect(Array.from(out.data)).toEqual(Array.from(rgb));
  });
  it('decodes 8-bit palette images', () => {
    const out = decodeBmp(encodeBmp(rgb, 5, 3, 8));
    const grey = Math.round((rgb[3] + rgb[4] + rgb[5]) / 3);
    expect(Array.from(out.data.subarray(3, 6))).toEqual([grey, grey, grey]);
  });
  it('refuses a BMP whose pixels are cut off', () => {
    const bmp = encodeBmp(rgb, 5, 3, 24);
    expect(() => decodeBmp(bmp.subarray(0, bmp.length - 10))).toThrow(expect.objectContaining({ kind: 'NOT_AN_IMAGE' }));
  });
});

describe('model files', () => {
  it('refuses a model that does not match SHA256SUMS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'face-models-'));
    writeFileSync(join(dir, 'm.onnx'), 'not the model');
    writeFileSync(join(dir, 'SHA256SUMS'), `${'0'.repeat(64)}  m.onnx\n`);
    expect(() => readModel(dir, 'm.onnx')).toThrow(expect.objectContaining({ kind: 'FACE_ENGINE_FAILED' }));
    expect(() => readModel(dir, 'other.onnx')).toThrow(expect.objectContaining({ kind: 'FACE_ENGINE_FAILED' }));
  });
});
