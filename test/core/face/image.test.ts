import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeBmp } from '../../../core/face/bmp.ts';
import { DECODE_MAX_SIDE, decodeImage } from '../../../core/face/image.ts';
import { probeImage } from '../../../core/face/index.ts';
import { encodeBmp, gradientPng, sample } from './pictures.ts';

const fails = (kind: string) => expect.objectContaining({ name: 'AppError', kind });

describe('probeImage', () => {
  it('reads format and size of JPEG, PNG, WebP and BMP', async () => {
    const png = await gradientPng(64, 48);
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(await probeImage(await sharp(png).jpeg().toBuffer())).toEqual({ format: 'jpeg', width: 64, height: 48 });
    expect(await probeImage(png)).toEqual({ format: 'png', width: 64, height: 48 });
    expect(await probeImage(await sharp(png).webp().toBuffer())).toEqual({ format: 'webp', width: 64, height: 48 });
    expect(await probeImage(encodeBmp(data, 64, 48))).toEqual({ format: 'bmp', width: 64, height: 48 });
  });

  it('reports the size as seen after EXIF orientation, and decodes upright pixels', async () => {
    // A 64x48 picture with a red left half, stored rotated and tagged orientation 6 (rotate 90 cw to view).
    const upright = Buffer.alloc(64 * 48 * 3);
    for (let i = 0; i < 64 * 48; i++) upright[i * 3] = i % 64 < 32 ? 255 : 0;
    const stored = await sharp(upright, { raw: { width: 64, height: 48, channels: 3 } }).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(stored).metadata()).width).toBe(48);
    expect(await probeImage(stored)).toEqual({ format: 'jpeg', width: 64, height: 48 });
    const rgb = await decodeImage(stored);
    expect([rgb.width, rgb.height]).toEqual([64, 48]);
    expect(rgb.data[(24 * 64 + 5) * 3]).toBeGreaterThan(200); // left half red again
    expect(rgb.data[(24 * 64 + 60) * 3]).toBeLessThan(50);
  });

  it('shrinks big pictures on load to DECODE_MAX_SIDE, reporting the scale and the picture\'s own size', async () => {
    const big = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#204080' } }).jpeg().toBuffer();
    const rgb = await decodeImage(big);
    expect([rgb.width, rgb.height]).toEqual([DECODE_MAX_SIDE, Math.round((4000 * DECODE_MAX_SIDE) / 6000)]);
    expect(rgb.scale).toBeCloseTo(DECODE_MAX_SIDE / 6000, 3);
    expect(await probeImage(big)).toEqual({ format: 'jpeg', width: 6000, height: 4000 });
    const small = await decodeImage(await sharp({ create: { width: 300, height: 200, channels: 3, background: '#000' } }).png().toBuffer());
    expect([small.width, small.height, small.scale]).toEqual([300, 200, 1]);
  });

  it('a big BMP is averaged down as it is read, never decoded at full size', async () => {
    // 4 x 2 source pixels per output pixel at maxSide 2: columns alternate black/white -> mid grey
    const w = 8, h = 4;
    const data = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) data.fill(i % 2 ? 255 : 0, i * 3, i * 3 + 3);
    const out = decodeBmp(encodeBmp(data, w, h), 4);
    expect([out.width, out.height]).toEqual([4, 2]);
    expect([...out.data.subarray(0, 3)]).toEqual([128, 128, 128]);
    const full = decodeBmp(encodeBmp(data, w, h));
    expect([full.width, full.height, full.data[3]]).toEqual([8, 4, 255]);
  });

  it('decodes grey and transparent PNGs to 3-channel RGB', async () => {
    const grey = await sharp(await gradientPng(32, 32)).greyscale().png().toBuffer();
    const alpha = await sharp(await gradientPng(32, 32)).ensureAlpha(0.5).png().toBuffer();
    for (const b of [grey, alpha]) expect((await decodeImage(b)).data.length).toBe(32 * 32 * 3);
  });

  it('refuses what is not an image, or is cut off', async () => {
    await expect(probeImage(Buffer.from('hello, this is not a picture'))).rejects.toThrow(fails('NOT_AN_IMAGE'));
    await expect(probeImage(Buffer.alloc(0))).rejects.toThrow(fails('NOT_AN_IMAGE'));
    const jpeg = sample(6);
    await expect(probeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)))).rejects.toThrow(fails('NOT_AN_IMAGE'));
    const png = await gradientPng();
    await expect(probeImage(png.subarray(0, Math.floor(png.length * 0.6)))).rejects.toThrow(fails('NOT_AN_IMAGE'));
  });

  it('refuses images over the byte or pixel limit before decoding them', async () => {
    const jpeg = sample(6); // 1920x1537
    await expect(probeImage(jpeg, { maxBytes: 10_000 })).rejects.toThrow(fails('IMAGE_TOO_LARGE'));
    await expect(probeImage(jpeg, { maxPixels: 1920 * 1536 })).rejects.toThrow(fails('IMAGE_TOO_LARGE'));
    await expect(probeImage(jpeg, { maxPixels: 1920 * 1537 })).resolves.toMatchObject({ width: 1920, height: 1537 });
  });

  it('checks raw frames for shape and size', async () => {
    const frame = { data: Buffer.alloc(10 * 10 * 3), width: 10, height: 10, channels: 3 as const };
    await expect(decodeImage(frame)).resolves.toMatchObject({ width: 10, height: 10 });
    await expect(decodeImage({ ...frame, height: 11 })).rejects.toThrow(fails('NOT_AN_IMAGE'));
    await expect(decodeImage(frame, { maxPixels: 99 })).rejects.toThrow(fails('IMAGE_TOO_LARGE'));
  });
});
