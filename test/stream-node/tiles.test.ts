/**
 * Detection by tiles: the tiles cover the frame with overlap, faces come back in frame pixels and
 * are kept once; on a real photo with small faces the tiles find faces the shrunk frame misses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createFaceEngine, type DetectedFace, type FaceEngine } from '../../core/face/index.ts';
import { cropFrame, detectTiled, mergeFaces, tileRects } from '../../stream-node/pipeline/tiles.ts';
import type { Frame } from '../../stream-node/ingest/ffmpeg-source.ts';
import { threePeople } from './helpers.ts';

let engine: FaceEngine;
beforeAll(() => { engine = createFaceEngine({ threads: 1 }); });
afterAll(async () => { await engine?.close(); });

const face = (x: number, y: number, w: number, score = 0.9): DetectedFace => ({
  box: { x, y, width: w, height: w }, score, quality: 0.5,
  landmarks: [[x, y], [x, y], [x, y], [x, y], [x, y]],
});

describe('tiles', () => {
  it('cover the frame with overlapping tiles of at most 640x640; one tile when it fits', () => {
    expect(tileRects(640, 360)).toEqual([{ x: 0, y: 0, width: 640, height: 360 }]);
    expect(tileRects(960, 540)).toEqual([{ x: 0, y: 0, width: 640, height: 540 }, { x: 320, y: 0, width: 640, height: 540 }]);
    const big = tileRects(1920, 1080);
    for (let x = 0; x < 1920; x += 7) for (let y = 0; y < 1080; y += 7) {
      expect(big.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)).toBe(true);
    }
    expect(big.every((r) => r.width <= 640 && r.height <= 640 && r.x + r.width <= 1920 && r.y + r.height <= 1080)).toBe(true);
  });

  it('crop copies the rows of a rectangle', () => {
    const f = { data: Buffer.from(Array.from({ length: 4 * 3 * 3 }, (_, i) => i)), width: 4, height: 3 };
    const c = cropFrame(f, { x: 1, y: 1, width: 2, height: 2 });
    expect([...c.data]).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  });

  it('a face seen in two tiles, or cut by a tile edge, is kept once; separate faces are all kept', () => {
    const kept = mergeFaces([face(100, 100, 40), face(102, 101, 39, 0.8), face(300, 100, 40), face(330, 100, 12)]);
    expect(kept.map((f) => f.box.x).sort((a, b) => a - b)).toEqual([100, 300]);
  });

  it('on a frame with small faces, tiles find faces the shrunk frame misses, in frame pixels', async () => {
    // the photo of three people 160 px wide in a 960x540 frame: faces of 15-20 px (~38 px of 1080p)
    const photo = await sharp(threePeople).resize(160).raw().toBuffer({ resolveWithObject: true });
    const data = Buffer.alloc(960 * 540 * 3, 96);
    for (let y = 0; y < photo.info.height; y++) photo.data.copy(data, ((150 + y) * 960 + 200) * 3, y * photo.info.width * 3, (y + 1) * photo.info.width * 3);
    const frame: Frame = { data, width: 960, height: 540, channels: 3, sourceWidth: 1920, sourceHeight: 1080, time: Date.now(), seq: 0 };
    const whole = await engine.detect(frame);
    const tiled = await detectTiled(engine, frame);
    expect(tiled.length).toBeGreaterThanOrEqual(2);
    expect(tiled.length).toBeGreaterThan(whole.length);
    for (const f of tiled) {
      // inside the photo's place in the frame (x 200..360, y 150..)
      expect(f.box.x).toBeGreaterThanOrEqual(195);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(365);
      expect(f.box.y).toBeGreaterThanOrEqual(145);
      expect(f.box.width).toBeLessThan(30);
    }
  });
});
