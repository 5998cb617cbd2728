import { AppError } from '../errors.ts';
import type { Rgb } from './types.ts';

/**
 * Minimal BMP decoder: libvips (and so sharp) ships without a BMP loader. Handles what cameras,
 * scanners and Windows tools actually write: uncompressed 1/4/8-bit palette, 24-bit, and 16/32-bit
 * with or without BI_BITFIELDS masks; bottom-up and top-down rows. RLE-compressed BMPs are refused.
 */
export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d;
}

type BmpHeader = {
  dataOffset: number; width: number; height: number; topDown: boolean; bpp: number; compression: number; headerSize: number;
};

/** Header fields only, so size limits can be checked before any pixel is allocated. */
export function bmpHeader(buf: Uint8Array): BmpHeader {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!isBmp(buf) || buf.length < 30) throw new AppError('NOT_AN_IMAGE', 'not a BMP file');
  const headerSize = v.getUint32(14, true);
  if (headerSize < 40 || 14 + headerSize > buf.length) throw new AppError('NOT_AN_IMAGE', 'unsupported BMP header');
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  if (width <= 0 || rawHeight === 0 || ![1, 4, 8, 16, 24, 32].includes(bpp)) {
    throw new AppError('NOT_AN_IMAGE', 'unsupported BMP geometry or bit depth');
  }
  // 0 = BI_RGB, 3 = BI_BITFIELDS, 6 = BI_ALPHABITFIELDS; RLE (1, 2) and embedded JPEG/PNG (4, 5) are not supported.
  if (![0, 3, 6].includes(compression)) throw new AppError('NOT_AN_IMAGE', 'compressed BMP is not supported');
  return { dataOffset: v.getUint32(10, true), width, height: Math.abs(rawHeight), topDown: rawHeight < 0, bpp, compression, headerSize };
}

/** A channel mask as shift + max value, so any 16/32-bit layout maps to 0..255. */
function maskInfo(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/**
 * Decodes to packed RGB. When the longest side exceeds `maxSide`, every `f` x `f` block of source
 * pixels (f the smallest integer that fits) is averaged into one, one output row at a time: a huge
 * BMP never needs its full-size pixels in memory (the 5 MB 8000x5000 1-bit file of the review would
 * be 120 MB of RGB; here it is 2000x1250, ~7.5 MB).
 */
export function decodeBmp(buf: Uint8Array, maxSide = Infinity): Rgb {
  const h = bmpHeader(buf);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stride = Math.ceil((h.width * h.bpp) / 32) * 4;
  if (h.dataOffset + stride * h.height > buf.length) throw new AppError('NOT_AN_IMAGE', 'BMP pixel data is truncated');
  const f = Math.max(1, Math.ceil(Math.max(h.width, h.height) / maxSide));
  const outW = Math.max(1, Math.floor(h.width / f));
  const outH = Math.max(1, Math.floor(h.height / f));
  const out = new Uint8Array(outW * outH * 3);

  let masks = h.bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (h.compression !== 0) {
    // Masks follow a 40-byte header, or sit inside V4/V5 headers at the same place.
    masks = [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)];
  }
  const m = masks.map(maskInfo);

  let palette: Uint8Array | undefined;
  if (h.bpp <= 8) {
    const colours = v.getUint32(46, true) || 1 << h.bpp;
    const start = 14 + h.headerSize;
    if (start + colours * 4 > buf.length) throw new AppError('NOT_AN_IMAGE', 'BMP palette is truncated');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < Math.min(colours, 256); i++) {
      palette[i * 3] = buf[start + i * 4 + 2];
      palette[i * 3 + 1] = buf[start + i * 4 + 1];
      palette[i * 3 + 2] = buf[start + i * 4];
    }
  }

  /** source pixel (x, y) as RGB into px */
  const px = new Uint8Array(3);
  const read = (row: number, x: number) => {
    if (palette) {
      const bit = x * h.bpp;
      const byte = buf[row + (bit >> 3)];
      const idx = (byte >> (8 - h.bpp - (bit & 7))) & ((1 << h.bpp) - 1);
      px[0] = palette[idx * 3]; px[1] = palette[idx * 3 + 1]; px[2] = palette[idx * 3 + 2];
    } else if (h.bpp === 24) {
      const p = row + x * 3;
      px[0] = buf[p + 2]; px[1] = buf[p + 1]; px[2] = buf[p];
    } else {
      const raw = h.bpp === 16 ? v.getUint16(row + x * 2, true) : v.getUint32(row + x * 4, true);
      for (let c = 0; c < 3; c++) px[c] = m[c].max ? Math.round((((raw >>> m[c].shift) & m[c].max) * 255) / m[c].max) : 0;
    }
  };

  const rowOf = (y: number) => h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
  if (f === 1) {
    for (let y = 0; y < outH; y++) {
      const row = rowOf(y);
      for (let x = 0, o = y * outW * 3; x < outW; x++, o += 3) {
        read(row, x);
        out[o] = px[0]; out[o + 1] = px[1]; out[o + 2] = px[2];
      }
    }
    return { data: out, width: outW, height: outH };
  }
  const sums = new Uint32Array(outW * 3);
  const n = f * f;
  for (let oy = 0; oy < outH; oy++) {
    sums.fill(0);
    for (let dy = 0; dy < f; dy++) {
      const row = rowOf(oy * f + dy);
      for (let x = 0; x < outW * f; x++) {
        read(row, x);
        const s = ((x / f) | 0) * 3;
        sums[s] += px[0]; sums[s + 1] += px[1]; sums[s + 2] += px[2];
      }
    }
    for (let i = 0, o = oy * outW * 3; i < sums.length; i++) out[o + i] = Math.round(sums[i] / n);
  }
  return { data: out, width: outW, height: outH };
}
