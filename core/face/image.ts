import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors.ts';
import { bmpHeader, decodeBmp, isBmp } from './bmp.ts';
import type { ImageInfo, ImageInput, ImageLimits, RawFrame, Rgb } from './types.ts';

/**
 * Image intake: one place that turns uploaded bytes or raw frames into packed RGB, refusing anything
 * that is not a JPEG/PNG/BMP/WebP or that is larger than the limits before pixels are allocated.
 */

/**
 * 16 MiB covers any phone photo. The pixel bound only stops decompression bombs (a small file that
 * claims a huge size): encoded pictures are shrunk on load (below), so a 108 MP photo costs about
 * what a 5 MP one does. Raw frames are never shrunk and stay under it by far.
 */
export const DEFAULT_LIMITS: Required<ImageLimits> = { maxBytes: 16 * 1024 * 1024, maxPixels: 120_000_000 };

/**
 * Encoded pictures are decoded to at most this many pixels on their longest side (JPEG and WebP
 * decode at 1/2, 1/4 or 1/8 scale directly: shrink-on-load; BMP is averaged while it is read), so
 * a 40 MP photo takes ~15 MB of RGB instead of ~120 MB. Enough for what the engine does with it:
 * detection sees 640 px, so a face it can find (>= ~12 px there) is >= 48 px here, and the aligned
 * crop it embeds is 112 px.
 */
export const DECODE_MAX_SIDE = 2560;

export function isRawFrame(img: ImageInput): img is RawFrame {
  return !(img instanceof Uint8Array) && typeof img === 'object' && img !== null && 'width' in img;
}

function sniff(buf: Uint8Array): ImageInfo['format'] | undefined {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return 'png';
  if (buf.length >= 12 && String.fromCharCode(...buf.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...buf.subarray(8, 12)) === 'WEBP') return 'webp';
  if (isBmp(buf)) return 'bmp';
  return undefined;
}

function limitsOf(l?: ImageLimits): Required<ImageLimits> {
  return { maxBytes: l?.maxBytes ?? DEFAULT_LIMITS.maxBytes, maxPixels: l?.maxPixels ?? DEFAULT_LIMITS.maxPixels };
}

function checkPixels(width: number, height: number, l: Required<ImageLimits>): void {
  if (width * height > l.maxPixels) {
    throw new AppError('IMAGE_TOO_LARGE', `image has ${width}x${height} pixels; the limit is ${l.maxPixels} pixels`);
  }
}

type Header = { info: ImageInfo; hasAlpha: boolean };

/** Format, oriented size and alpha from the header only; enforces both limits. */
async function readHeader(buf: Uint8Array, l: Required<ImageLimits>): Promise<Header> {
  if (buf.length > l.maxBytes) throw new AppError('IMAGE_TOO_LARGE', `file has ${buf.length} bytes; the limit is ${l.maxBytes} bytes`);
  const format = sniff(buf);
  if (!format) throw new AppError('NOT_AN_IMAGE');
  if (format === 'bmp') {
    const h = bmpHeader(buf);
    checkPixels(h.width, h.height, l);
    return { info: { format, width: h.width, height: h.height }, hasAlpha: false };
  }
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new AppError('NOT_AN_IMAGE', undefined, { cause: e });
  }
  if (!meta.width || !meta.height) throw new AppError('NOT_AN_IMAGE');
  checkPixels(meta.width, meta.height, l);
  // EXIF orientations 5-8 rotate by 90 degrees, so the picture as seen has width and height swapped.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  return { info: { format, width, height }, hasAlpha: !!meta.hasAlpha };
}

/**
 * Decode to packed RGB with EXIF orientation applied, shrunk to DECODE_MAX_SIDE; truncated or corrupt
 * files are NOT_AN_IMAGE. `info` has the picture's own (oriented) size.
 */
async function decodeEncoded(buf: Uint8Array, l: Required<ImageLimits>): Promise<Rgb & { info: ImageInfo }> {
  const { info, hasAlpha } = await readHeader(buf, l);
  if (info.format === 'bmp') return { ...decodeBmp(buf, DECODE_MAX_SIDE), info };
  try {
    // 'truncated' refuses cut-off files but tolerates the harmless warnings many cameras' JPEGs raise.
    let pipe = sharp(buf, { failOn: 'truncated', limitInputPixels: l.maxPixels }).autoOrient()
      .resize({ width: DECODE_MAX_SIDE, height: DECODE_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
    pipe = hasAlpha ? pipe.flatten({ background: '#ffffff' }) : pipe;
    const { data, info: out } = await pipe.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (out.channels !== 3) throw new Error(`decoder gave ${out.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: out.width, height: out.height, info };
  } catch (e) {
    throw new AppError('NOT_AN_IMAGE', undefined, { cause: e });
  }
}

/**
 * Format and (oriented) size from the header alone, nothing decoded: for pictures this system made
 * itself (the matcher reads a stream node's face crop back), where a whole decode would only prove
 * what the node's encoder did. Not for uploads: probeImage.
 */
export async function readImageInfo(buf: Buffer | Uint8Array, limits?: ImageLimits): Promise<ImageInfo> {
  return (await readHeader(buf, limitsOf(limits))).info;
}

/** Decode-check an uploaded file without keeping its pixels (in the face worker: `FaceEngine.probe`). */
export async function probeImage(buf: Buffer | Uint8Array, limits?: ImageLimits): Promise<ImageInfo> {
  return (await decodeEncoded(buf, limitsOf(limits))).info;
}

/**
 * Any accepted input as packed RGB, with `scale` = decoded / original size (1 for raw frames, which
 * are checked for size and shape, not copied; below 1 for a big picture shrunk on load).
 */
export async function decodeImage(img: ImageInput, limits?: ImageLimits): Promise<Rgb & { scale: number }> {
  const l = limitsOf(limits);
  if (isRawFrame(img)) {
    const { data, width, height } = img;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || img.channels !== 3 || data.length !== width * height * 3) {
      throw new AppError('NOT_AN_IMAGE', 'raw frame must be packed RGB24 of width*height*3 bytes');
    }
    checkPixels(width, height, l);
    return { data: data instanceof Uint8Array ? data : new Uint8Array(data), width, height, scale: 1 };
  }
  if (!(img instanceof Uint8Array)) throw new AppError('NOT_AN_IMAGE');
  const { data, width, height, info } = await decodeEncoded(img, l);
  return { data, width, height, scale: width / info.width };
}
