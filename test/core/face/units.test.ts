import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE, apply, estimateSimilarity, warp } from '../../../core/face/align.ts';
import { decodeBmp } from '../../../core/face/bmp.ts';
import { decodeProposals, detectorShape, detectorTensor, iou, nms, type DetectorOutputs } from '../../../core/face/detect.ts';
import { declaredShapes, freeSpatialDims, withDims } from '../../../core/face/model-shape.ts';
import { DEFAULT_MODELS_DIR, MODELS, readModel } from '../../../core/face/models.ts';
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

describe('detector input size', () => {
  it('follows the image aspect, longest side 640, sides rounded up to 32', () => {
    expect(detectorShape(640, 360)).toEqual({ width: 640, height: 384 });
    expect(detectorShape(360, 640)).toEqual({ width: 384, height: 640 });
    expect(detectorShape(640, 480)).toEqual({ width: 640, height: 480 });
    expect(detectorShape(640, 640)).toEqual({ width: 640, height: 640 });
    expect(detectorShape(640, 615)).toEqual({ width: 640, height: 640 }); // square-ish: as before
    expect(detectorShape(150, 150)).toEqual({ width: 640, height: 640 }); // small: not upscaled, same padding
    expect(detectorShape(150, 100)).toEqual({ width: 640, height: 448 });
    expect(detectorShape(640, 10)).toEqual({ width: 640, height: 32 });
  });

  it('letterboxes into a non-square input, image top-left, zero padding', () => {
    const img = { data: Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => i + 1), width: 4, height: 2 };
    const t = detectorTensor(img, { width: 32, height: 32 });
    expect(t).toHaveLength(3 * 32 * 32);
    expect(t[0]).toBe(1); expect(t[32 * 32]).toBe(2); expect(t[1 * 32 + 3]).toBe(img.data[(4 + 3) * 3]);
    expect(t[2 * 32]).toBe(0);
    expect(() => detectorTensor(img, { width: 32, height: 1 })).toThrow();
  });

  it('decodes two anchors per cell of each non-square grid, centred on its cell', () => {
    const H = 384, W = 640;
    const out: DetectorOutputs = {};
    for (const s of [32, 16, 8]) {
      const h = H / s, w = W / s, plane = h * w;
      out[`face_rpn_cls_prob_reshape_stride${s}`] = { data: new Float32Array(4 * plane).fill(1), dims: [1, 4, h, w] };
      out[`face_rpn_bbox_pred_stride${s}`] = { data: new Float32Array(8 * plane), dims: [1, 8, h, w] };
      out[`face_rpn_landmark_pred_stride${s}`] = { data: new Float32Array(20 * plane), dims: [1, 20, h, w] };
    }
    const all = decodeProposals(out, 0.5);
    expect(all).toHaveLength([32, 16, 8].reduce((n, s) => n + (H / s) * (W / s) * 2, 0)); // 10080
    const centres = (size: number) => all.filter((d) => d.box.width === size).map((d) => [d.box.x + size / 2, d.box.y + size / 2]);
    for (const [size, stride] of [[512, 32], [256, 32], [128, 16], [64, 16], [32, 8], [16, 8]]) {
      const c = centres(size);
      expect(c).toHaveLength((H / stride) * (W / stride));
      expect(c.at(-1)).toEqual([W - stride + 8, H - stride + 8]); // last cell: bottom-right
      expect(c[W / stride]).toEqual([8, stride + 8]); // row-major: second row starts at x = 8
    }
  });
});

describe('in-memory model shape edit', () => {
  const bytes = readModel(DEFAULT_MODELS_DIR, MODELS.detector);
  it('makes the detector H and W symbolic and changes nothing else', () => {
    expect(declaredShapes(bytes).get('data')).toEqual([1, 3, 640, 640]);
    const free = freeSpatialDims(bytes);
    expect(declaredShapes(free).get('data')).toEqual([1, 3, 'data_h', 'data_w']);
    for (const [name, dims] of declaredShapes(free, 'output')) expect(dims.slice(2)).toEqual([`${name}_h`, `${name}_w`]);
    // Setting the original dims back restores the file byte for byte (the edit is local to the shapes).
    let back = withDims(free, 'input', 'data', [1, 3, 640, 640]);
    for (const [name, dims] of declaredShapes(bytes, 'output')) back = withDims(back, 'output', name, dims);
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
    expect(() => withDims(bytes, 'input', 'nope', [1])).toThrow(/no graph input/);
    expect(() => withDims(bytes, 'input', 'data', [1, 3])).toThrow(/rank/);
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
    rmSync(dir, { recursive: true, force: true });
  });
});
