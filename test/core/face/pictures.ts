import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/**
 * Real pictures every clone has: the group photos shipped in @vladmandic/face-api's demo folder (a
 * dev dependency), plus pictures derived from them here. Nothing from /work/shared.
 */
const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
export const sample = (n: number): Buffer => readFileSync(join(demo, `sample${n}.jpg`));

/** People in each sample photo whose landmarks are frontal enough to check in image coordinates. */
export const SAMPLE_FACES: Record<number, number> = { 2: 3, 3: 3, 4: 4, 5: 5, 6: 4 };

/** Uncompressed BMP writer (24-bit, or 8-bit grey palette): sharp cannot write BMP. */
export function encodeBmp(rgb: Uint8Array, width: number, height: number, bits: 8 | 24 = 24): Buffer {
  const stride = Math.ceil((width * bits) / 32) * 4;
  const palette = bits === 8 ? 256 * 4 : 0;
  const offset = 54 + palette;
  const buf = Buffer.alloc(offset + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22); // positive: bottom-up rows, the common layout
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bits, 28);
  buf.writeUInt32LE(stride * height, 34);
  if (bits === 8) for (let i = 0; i < 256; i++) buf.fill(i, 54 + i * 4, 54 + i * 4 + 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      if (bits === 8) buf[row + x] = Math.round((rgb[p] + rgb[p + 1] + rgb[p + 2]) / 3);
      else { buf[row + x * 3] = rgb[p + 2]; buf[row + x * 3 + 1] = rgb[p + 1]; buf[row + x * 3 + 2] = rgb[p]; }
    }
  }
  return buf;
}

export async function rawOf(img: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: 3 }> {
  const { data, info } = await sharp(img).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** A smooth gradient: a real, decodable picture with no face in it. */
export function gradientPng(width = 640, height = 480): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const p = (y * width + x) * 3;
    data[p] = (255 * x) / width; data[p + 1] = (255 * y) / height; data[p + 2] = 128;
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** `img` scaled to `width` and placed on a plain grey canvas. */
export async function onCanvas(img: Buffer, width: number, canvas = 400): Promise<Buffer> {
  const small = await sharp(img).resize(width).toBuffer();
  const { height = 0 } = await sharp(small).metadata();
  return sharp({ create: { width: canvas, height: Math.max(canvas, height + 20), channels: 3, background: '#777777' } })
    .composite([{ input: small, left: Math.round((canvas - width) / 2), top: 10 }])
    .png()
    .toBuffer();
}
