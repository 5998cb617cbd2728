import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors.ts';
import { bmpHeader, decodeBmp, isBmp } from './bmp.ts';
import type { ImageInfo, ImageInput, ImageLimits, RawFrame, Rgb } from './types.ts';

/**
 * Image intake: one place that turns uploaded bytes or raw frames into packed RGB, refusing anything
 * that is not a JPEG/PNG/BMP/WebP or that is larger than the limits before pixels are allocated.
 */

/** 16 MiB covers any phone photo; 36 MP covers 8K frames while bounding memory (~110 MB of RGB). */
export const DEFAULT_LIMITS: Required<ImageLimits> = { maxBytes: 16 * 1024 * 1024, maxPixels: 36_000_000 };

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

/** Full decode to packed RGB with EXIF orientation applied; truncated or corrupt files are NOT_AN_IMAGE. */
async function decodeEncoded(buf: Uint8Array, l: Required<ImageLimits>): Promise<Rgb & { info: ImageInfo }> {
  const { info, hasAlpha } = await readHeader(buf, l);
  if (info.format === 'bmp') return { ...decodeBmp(buf), info };
  try {
    // 'truncated' refuses cut-off files but tolerates the harmless warnings many cameras' JPEGs raise.
    let pipe = sharp(buf, { failOn: 'truncated', limitInputPixels: l.maxPixels }).autoOrient();
    pipe = hasAlpha ? pipe.flatten({ background: '#ffffff' }) : pipe;
    const { data, info: out } = await pipe.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (out.channels !== 3) throw new Error(`decoder gave ${out.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: out.width, height: out.height, info };
  } catch (e) {
    throw new AppError('NOT_AN_IMAGE', undefined, { cause: e });
  }
}

/** Decode-check an uploaded file without keeping its pixels. */
export async function probeImage(buf: Buffer | Uint8Array, limits?: ImageLimits): Promise<ImageInfo> {
  return (await decodeEncoded(buf, limitsOf(limits))).info;
}

/** Any accepted input as packed RGB. Raw frames are checked for size and shape, not copied. */
export async function decodeImage(img: ImageInput, limits?: ImageLimits): Promise<Rgb> {
  const l = limitsOf(limits);
  if (isRawFrame(img)) {
    const { data, width, height } = img;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || img.channels !== 3 || data.length !== width * height * 3) {
      throw new AppError('NOT_AN_IMAGE', 'raw frame must be packed RGB24 of width*height*3 bytes');
    }
    checkPixels(width, height, l);
    return { data: data instanceof Uint8Array ? data : new Uint8Array(data), width, height };
  }
  if (!(img instanceof Uint8Array)) throw new AppError('NOT_AN_IMAGE');
  const { data, width, height } = await decodeEncoded(img, l);
  return { data, width, height };
}
