import sharp from 'sharp';
import type { Box, Rgb } from './types.ts';

/** the factor that brings an image's longest side to at most `maxSide` (1 when it fits) */
function fitFactor(img: Pick<Rgb, 'width' | 'height'>, maxSide: number): number {
  const long = Math.max(img.width, img.height);
  return long <= maxSide ? 1 : maxSide / long;
}

/** the size `fitWithin` gives an image */
export function fitSize(img: Pick<Rgb, 'width' | 'height'>, maxSide: number): { width: number; height: number } {
  const f = fitFactor(img, maxSide);
  return f === 1 ? { width: img.width, height: img.height } : { width: Math.max(1, Math.round(img.width * f)), height: Math.max(1, Math.round(img.height * f)) };
}

/**
 * Downscale packed RGB so its longest side is at most `maxSide`, for the detector. libvips' linear
 * reduce averages every source pixel (no aliasing) and, measured on a 1080p frame, takes ~2.7 ms
 * against ~9 ms for a box filter in JS. `scale` is the exact factor applied, to map boxes back.
 */
export async function fitWithin(img: Rgb, maxSide: number): Promise<{ img: Rgb; scale: number }> {
  const { width: w, height: h } = fitSize(img, maxSide);
  if (w === img.width && h === img.height) return { img, scale: 1 };
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer();
  return { img: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: w, height: h }, scale: w / img.width };
}

/**
 * The part `region` of an image at the scale `fitWithin` would give the whole image, so a face is
 * the same size to the detector either way; `offset` is the part's top-left in the image. The part's
 * top-left corner is moved up and left onto the `grid` (px at that scale) the whole image's
 * detection would use, so the detector's anchors and the resampling fall on the same pixels as
 * there (off the grid, boxes moved by up to 8 % of a face's width). Clipped to the image; undefined
 * when nothing of it is left.
 */
export async function regionWithin(img: Rgb, region: Box, maxSide: number, grid = 32): Promise<{ img: Rgb; scale: number; offset: { x: number; y: number } } | undefined> {
  const f = fitFactor(img, maxSide);
  const step = grid / f;
  const left = Math.max(0, Math.round(Math.floor(region.x / step) * step)), top = Math.max(0, Math.round(Math.floor(region.y / step) * step));
  const width = Math.min(img.width, Math.ceil(region.x + region.width)) - left;
  const height = Math.min(img.height, Math.ceil(region.y + region.height)) - top;
  if (width < 1 || height < 1) return undefined;
  const w = Math.max(1, Math.round(width * f)), h = Math.max(1, Math.round(height * f));
  let part = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).extract({ left, top, width, height });
  if (f !== 1) part = part.resize(w, h, { kernel: 'linear', fit: 'fill' });
  const data = await part.raw().toBuffer();
  return { img: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: w, height: h }, scale: w / width, offset: { x: left, y: top } };
}
