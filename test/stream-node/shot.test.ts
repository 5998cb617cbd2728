/**
 * A track's best shot keeps the face's neighbourhood, not the frame: publishing from it gives the
 * same embedding and the same JPEG crop as publishing from the whole frame, on a real photo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createFaceEngine, type FaceEngine } from '../../core/face/index.ts';
import { takeShot } from '../../stream-node/pipeline/shot.ts';
import type { Frame } from '../../stream-node/ingest/ffmpeg-source.ts';
import { threePeople } from './helpers.ts';

let engine: FaceEngine;
let frame: Frame;
beforeAll(async () => {
  engine = createFaceEngine({ threads: 1 });
  const { data, info } = await sharp(threePeople).resize(960).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  frame = { data, width: info.width, height: info.height, channels: 3, sourceWidth: 1920, sourceHeight: Math.round(info.height * 2), time: 0, seq: 0 };
});
afterAll(async () => { await engine?.close(); });

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('best shots', () => {
  it('give the embedding and the crop the whole frame gives, from a region a fraction of its size', async () => {
    const faces = await engine.detect(frame);
    expect(faces.length).toBe(3);
    for (const face of faces) {
      const shot = takeShot(frame, face);
      expect(shot.image.data.length).toBeLessThan(frame.data.length / 8);
      const [whole, part] = await Promise.all([engine.embed(frame, face), engine.embed(shot.image, shot.face)]);
      expect(cosine(whole, part)).toBeGreaterThan(0.999);
      const [jpegWhole, jpegPart] = await Promise.all([engine.cropJpeg(frame, face), engine.cropJpeg(shot.image, shot.face)]);
      const [a, b] = await Promise.all([sharp(jpegWhole).metadata(), sharp(jpegPart).metadata()]);
      expect([b.width, b.height]).toEqual([a.width, a.height]);
      // the frame is the camera's picture at half size: the bus gets the box in the camera's pixels
      const { x, y, width, height } = face.box;
      expect(shot.cameraBox).toEqual({ x: x * 2, y: y * 2, width: width * 2, height: height * 2 });
    }
  });

  it('own their pixels: a frame buffer reused by the next frame leaves the shot as it was', async () => {
    const [face] = await engine.detect(frame);
    const copy = { ...frame, data: Buffer.from(frame.data) };
    const shot = takeShot(copy, face);
    const before = Buffer.from(shot.image.data);
    copy.data.fill(0);
    expect(Buffer.compare(Buffer.from(shot.image.data), before)).toBe(0);
  });

  it('stay inside the frame for a face at its edge', () => {
    const edge = { box: { x: 940, y: 500, width: 40, height: 60 }, score: 0.9, quality: 0.5, landmarks: [[950, 520], [965, 520], [958, 530], [952, 545], [963, 545]] as [number, number][] };
    const shot = takeShot(frame, edge as Parameters<typeof takeShot>[1]);
    expect(shot.image.width).toBe(frame.width - Math.floor(940 - 40 * 0.6));
    expect(shot.face.landmarks[0][0]).toBeCloseTo(950 - Math.floor(940 - 40 * 0.6));
    expect(shot.image.data.length).toBe(shot.image.width * shot.image.height * 3);
  });
});
