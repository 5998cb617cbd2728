import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_DIM } from '../../../core/constants.ts';
import { createFaceEngine, similarity, type DetectedFace, type FaceEngine } from '../../../core/face/index.ts';
import { iou as iouOf } from '../../../core/face/detect.ts';
import { SAMPLE_FACES, encodeBmp, gradientPng, onCanvas, rawOf, sample } from './pictures.ts';

const fails = (kind: string) => expect.objectContaining({ name: 'AppError', kind });
let engine: FaceEngine;
/** A single-person portrait cut from a real group photo: the clearest face of sample6.jpg. */
let portrait: Buffer;

beforeAll(async () => {
  engine = createFaceEngine();
  const faces = await engine.detect(sample(6));
  const best = faces.reduce((a, b) => (b.quality > a.quality ? b : a));
  portrait = await engine.cropJpeg(sample(6), best, { margin: 0.6 });
});
afterAll(() => engine.close());

function checkGeometry(f: DetectedFace, width: number, height: number) {
  const [le, re, nose, lm, rm] = f.landmarks;
  expect(f.box.x).toBeGreaterThanOrEqual(0);
  expect(f.box.y).toBeGreaterThanOrEqual(0);
  expect(f.box.x + f.box.width).toBeLessThanOrEqual(width);
  expect(f.box.y + f.box.height).toBeLessThanOrEqual(height);
  expect(f.box.width / f.box.height).toBeGreaterThan(0.5);
  expect(f.box.width / f.box.height).toBeLessThan(1.5);
  for (const [x, y] of f.landmarks) {
    expect(x).toBeGreaterThan(f.box.x - 0.1 * f.box.width);
    expect(x).toBeLessThan(f.box.x + 1.1 * f.box.width);
    expect(y).toBeGreaterThan(f.box.y - 0.1 * f.box.height);
    expect(y).toBeLessThan(f.box.y + 1.1 * f.box.height);
  }
  expect(le[0]).toBeLessThan(re[0]);
  expect(lm[0]).toBeLessThan(rm[0]);
  expect(Math.max(le[1], re[1])).toBeLessThan(nose[1]);
  expect(nose[1]).toBeLessThan(Math.min(lm[1], rm[1]));
  expect(f.score).toBeGreaterThan(0.6);
  expect(f.quality).toBeGreaterThanOrEqual(0);
  expect(f.quality).toBeLessThanOrEqual(1);
}

describe('detect', () => {
  it.each(Object.entries(SAMPLE_FACES))('finds every person in sample%s.jpg with plausible boxes and landmarks', async (n, count) => {
    const img = sample(Number(n));
    const { width = 0, height = 0 } = await sharp(img).metadata();
    const faces = await engine.detect(img);
    expect(faces).toHaveLength(count);
    for (const f of faces) checkGeometry(f, width, height);
  });

  it('gives the same faces for a raw RGB frame, a BMP and the JPEG', async () => {
    const jpeg = sample(3);
    const raw = await rawOf(jpeg);
    const fromJpeg = await engine.detect(jpeg);
    const fromRaw = await engine.detect(raw);
    const fromBmp = await engine.detect(encodeBmp(raw.data, raw.width, raw.height));
    expect(fromRaw).toEqual(fromJpeg);
    expect(fromBmp).toEqual(fromJpeg);
  });

  // 16:9 frames run the detector at 640x384 instead of letterboxing to 640x640 (detectorShape): the
  // faces must be the ones found in the same frame padded to a square, which still runs at 640x640.
  it.each(Object.keys(SAMPLE_FACES))('finds the same faces in a 16:9 cut of sample%s.jpg as in it padded to square', async (n) => {
    const cut = sharp(sample(Number(n))).extract({ left: 0, top: 100, width: 1920, height: 1080 });
    const wide = await rawOf(await cut.clone().png().toBuffer());
    const square = await rawOf(await cut.clone().extend({ bottom: 840, background: '#000000' }).png().toBuffer());
    const a = await engine.detect(wide);
    const b = await engine.detect(square);
    expect(a.length).toBeGreaterThan(0);
    expect(a).toHaveLength(b.length);
    for (const f of a) {
      const g = b.reduce((best, x) => (iouOf(x.box, f.box) > iouOf(best.box, f.box) ? x : best));
      const edges = [f.box.x - g.box.x, f.box.y - g.box.y, f.box.x + f.box.width - g.box.x - g.box.width, f.box.y + f.box.height - g.box.y - g.box.height];
      for (const d of edges) expect(Math.abs(d)).toBeLessThan(4);
      f.landmarks.forEach(([x, y], i) => expect(Math.hypot(x - g.landmarks[i][0], y - g.landmarks[i][1])).toBeLessThan(4));
      expect(Math.abs(f.score - g.score)).toBeLessThan(0.05);
    }
  });

  // The stream node detects only where the scene changed (stream-node/pipeline/motion.ts): a region is
  // detected at the whole frame's scale and on its grid, so a face in it is found as in the whole frame
  // (off the grid its box moved by up to 8 % of its width).
  it('detects in a region of a frame the faces of that region alone, as the whole frame has them', async () => {
    const frame = await rawOf(await sharp(sample(1)).extract({ left: 0, top: 100, width: 1920, height: 1080 }).png().toBuffer());
    const whole = await engine.detect(frame);
    expect(whole.length).toBeGreaterThanOrEqual(2);
    for (const f of whole) {
      const region = { x: f.box.x - f.box.width * 0.5, y: f.box.y - f.box.height * 0.5, width: f.box.width * 2, height: f.box.height * 2 };
      const found = await engine.detect(frame, { region });
      expect(found).toHaveLength(1);
      const [g] = found;
      const edges = [f.box.x - g.box.x, f.box.y - g.box.y, f.box.x + f.box.width - g.box.x - g.box.width, f.box.y + f.box.height - g.box.y - g.box.height];
      for (const d of edges) expect(Math.abs(d)).toBeLessThan(0.04 * f.box.width);
      expect(Math.abs(f.score - g.score)).toBeLessThan(0.1); // less context around the face
      expect(g.signature).toBeDefined();
    }
    // a region off the frame, or with no face, finds nothing
    expect(await engine.detect(frame, { region: { x: 2000, y: 0, width: 100, height: 100 } })).toEqual([]);
    expect(await engine.detect(frame, { region: { x: 0, y: 0, width: 40, height: 40 } })).toEqual([]);
  });

  it('finds nothing in a plain gradient', async () => {
    expect(await engine.detect(await gradientPng())).toEqual([]);
  });
});

describe('embeddings and similarity', () => {
  it('embeds L2-normalised EMBEDDING_DIM vectors, the same through analyze and embed', async () => {
    const faces = await engine.analyze(sample(6));
    expect(faces).toHaveLength(4);
    for (const f of faces) {
      expect(f.embedding).toHaveLength(EMBEDDING_DIM);
      expect(Math.hypot(...f.embedding)).toBeCloseTo(1, 4);
    }
    const again = await engine.embed(await rawOf(sample(6)), faces[0]);
    expect(similarity(again, faces[0].embedding)).toBeGreaterThan(0.999);
  });

  it('scores the same face above 0.8 under shift, scale and brightness changes', async () => {
    const base = (await engine.enrol(portrait)).embedding;
    const meta = await sharp(portrait).metadata();
    const w = meta.width ?? 0, h = meta.height ?? 0;
    const variants = {
      shifted: await sharp(portrait).extract({ left: Math.round(w * 0.12), top: Math.round(h * 0.1), width: Math.round(w * 0.85), height: Math.round(h * 0.85) }).png().toBuffer(),
      smaller: await sharp(portrait).resize(Math.round(w * 0.45)).jpeg().toBuffer(),
      larger: await sharp(portrait).resize(Math.round(w * 1.8)).jpeg().toBuffer(),
      brighter: await sharp(portrait).linear(1.35, 25).jpeg().toBuffer(),
      darker: await sharp(portrait).linear(0.6, 0).jpeg().toBuffer(),
      onCanvas: await onCanvas(portrait, 300, 800),
    };
    for (const [name, img] of Object.entries(variants)) {
      const s = similarity(base, (await engine.enrol(img)).embedding);
      expect({ name, above: s > 0.8 }).toEqual({ name, above: true });
    }
  });

  it.each([1, 2, 3, 4, 5, 6])('scores different people in sample%s.jpg below 0.8', async (n) => {
    const faces = await engine.analyze(sample(n));
    expect(faces.length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) {
      expect(similarity(faces[i].embedding, faces[j].embedding)).toBeLessThan(0.8);
    }
  });

  it('filters analyze by minimum quality', async () => {
    const all = await engine.analyze(sample(4));
    const good = await engine.analyze(sample(4), { minQuality: 0.4 });
    expect(good.length).toBeLessThan(all.length);
    expect(good.every((f) => f.quality >= 0.4)).toBe(true);
  });
});

describe('enrol refuses unusable photos', () => {
  it('accepts a clear single-face portrait', async () => {
    const f = await engine.enrol(portrait);
    expect(f.quality).toBeGreaterThan(0.3);
  });
  it('NOT_AN_IMAGE for text and for a truncated JPEG', async () => {
    await expect(engine.enrol(Buffer.from('{"not":"an image"}'))).rejects.toThrow(fails('NOT_AN_IMAGE'));
    await expect(engine.enrol(portrait.subarray(0, Math.floor(portrait.length / 2)))).rejects.toThrow(fails('NOT_AN_IMAGE'));
  });
  it('IMAGE_TOO_LARGE over the configured pixel or byte limit', async () => {
    const strict = createFaceEngine({ limits: { maxPixels: 1_000_000, maxBytes: 200_000 } });
    try {
      await expect(strict.enrol(await sharp(portrait).resize(1200).png({ compressionLevel: 9 }).toBuffer())).rejects.toThrow(fails('IMAGE_TOO_LARGE'));
      await expect(strict.enrol(sample(6))).rejects.toThrow(fails('IMAGE_TOO_LARGE'));
      await expect(strict.enrol(await sharp(sample(6)).resize(400).jpeg().toBuffer())).rejects.toThrow(fails('MULTIPLE_FACES'));
    } finally {
      await strict.close();
    }
  });
  it('NO_FACE for a gradient', async () => {
    await expect(engine.enrol(await gradientPng())).rejects.toThrow(fails('NO_FACE'));
  });
  it('MULTIPLE_FACES for a group photo', async () => {
    await expect(engine.enrol(sample(6))).rejects.toThrow(fails('MULTIPLE_FACES'));
  });
  it('FACE_TOO_SMALL for a face under 40 px', async () => {
    await expect(engine.enrol(await onCanvas(portrait, 60))).rejects.toThrow(fails('FACE_TOO_SMALL'));
  });
  it('FACE_TOO_BLURRY for a blurred face', async () => {
    await expect(engine.enrol(await sharp(portrait).blur(6).jpeg().toBuffer())).rejects.toThrow(fails('FACE_TOO_BLURRY'));
  });
});

describe('model loading', () => {
  it('fails with FACE_ENGINE_FAILED, on every call, when the models are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-models-'));
    const broken = createFaceEngine({ modelsDir: empty });
    try {
      await expect(broken.detect(portrait)).rejects.toThrow(fails('FACE_ENGINE_FAILED'));
      await expect(broken.detect(portrait)).rejects.toThrow(fails('FACE_ENGINE_FAILED'));
    } finally {
      await broken.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('crops', () => {
  it('returns a JPEG of the padded face box', async () => {
    const [face] = await engine.detect(portrait);
    const jpeg = await engine.cropJpeg(portrait, face, { margin: 0.1 });
    const meta = await sharp(jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeGreaterThanOrEqual(Math.floor(face.box.width));
    expect(meta.width).toBeLessThanOrEqual(Math.ceil(face.box.width * 1.2) + 2);
  });
  it('returns the aligned 112x112 crop', async () => {
    const [face] = await engine.detect(portrait);
    const jpeg = await engine.cropJpeg(portrait, face, { aligned: true });
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 112, height: 112 });
  });
});

describe('event loop', () => {
  it('keeps ticking while a batch of inference runs', async () => {
    const raw = await rawOf(sample(5));
    const faces = await engine.detect(raw);
    const interval = 5;
    const countTicks = async (during: () => Promise<unknown>) => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, interval);
      const t0 = performance.now();
      await during();
      clearInterval(timer);
      return { ticks, elapsed: performance.now() - t0 };
    };
    // Each call below is tens of milliseconds of model work. Were it run on this thread, timers could
    // only fire between calls (a handful of ticks); run in the worker they fire throughout, slowed by
    // the worker's threads competing for the same cores. The yardstick is the ticks of an idle window
    // of the same length right after, so a machine loaded by other work slows both alike.
    const busy = await countTicks(() => Promise.all([engine.analyze(raw), ...faces.map((f) => engine.embed(raw, f)), engine.analyze(sample(5))]));
    const idle = await countTicks(() => new Promise((r) => setTimeout(r, busy.elapsed)));
    expect(busy.elapsed).toBeGreaterThan(10 * interval);
    expect(busy.ticks).toBeGreaterThan(faces.length + 2);
    expect(busy.ticks).toBeGreaterThanOrEqual(Math.floor(0.25 * idle.ticks));
  });
});
