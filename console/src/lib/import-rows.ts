/**
 * What a bulk import reads: the rows (one person each) from a zip of photos named after people, or
 * from a CSV beside the photos (loose files or in the zip). Pure functions over bytes, so they are
 * tested without a browser.
 *
 * - Photo names: "<name>.jpg", or "<name>_<card_no>.jpg" when the part after the last "_" looks like
 *   a card number (4-64 letters and digits with at least one digit), e.g. "张三_110101199001011234.jpg".
 * - CSV: a header row; columns by English or Chinese name (name/姓名, photo/照片, card_no/卡号/证件号,
 *   phone/电话/手机, sex/性别, category/类别/名单, remark/备注); UTF-8 (with or without BOM) or GBK
 *   (what Excel on a Chinese Windows saves). `photo` is the file name of the person's photo.
 * - Zip entry names: UTF-8, or GBK when the zip does not flag UTF-8 (Windows' own zip in a Chinese
 *   locale writes GBK); folders are ignored, only the last path part counts.
 */
import Papa from 'papaparse';
import { unzipSync } from 'fflate';

export type ImportRow = {
  /** 1-based: the CSV line (header = 1) or the position of the photo in the zip */
  row: number;
  name: string;
  /** file name of the photo ("" when the CSV row names none) */
  photo: string;
  card_no?: string;
  phone?: string;
  sex?: number;
  category?: number;
  remark?: string;
  /** a problem found before anything is sent (missing name, unknown photo, bad sex...) */
  problem?: { key: RowProblem; detail?: string };
};
export type RowProblem = 'noName' | 'noPhoto' | 'photoMissing' | 'badSex' | 'badCategory' | 'duplicatePhoto';

const IMAGE = /\.(jpe?g|png|bmp|webp)$/i;
export const isImageName = (name: string): boolean => IMAGE.test(name);

/** Bytes of text in UTF-8 (BOM dropped) or, when they are not valid UTF-8, GBK. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** "张三_110101199001011234.jpg" → {name: "张三", card_no: "110101199001011234"}; "张三.jpg" → {name: "张三"}. */
export function personFromFileName(fileName: string): { name: string; card_no?: string } {
  const stem = baseName(fileName).replace(/\.[^.]*$/, '').trim();
  const m = /^(.+?)[_](?=[0-9A-Za-z]*\d)([0-9A-Za-z]{4,64})$/.exec(stem);
  return m ? { name: m[1].trim(), card_no: m[2] } : { name: stem };
}

const COLUMNS: Record<string, keyof Omit<ImportRow, 'row' | 'problem'>> = {
  name: 'name', 姓名: 'name', 名字: 'name',
  photo: 'photo', picture: 'photo', file: 'photo', 照片: 'photo', 图片: 'photo', 文件: 'photo', 文件名: 'photo',
  card_no: 'card_no', card: 'card_no', 卡号: 'card_no', 证件号: 'card_no', 工号: 'card_no', 身份证号: 'card_no',
  phone: 'phone', 电话: 'phone', 手机: 'phone', 手机号: 'phone',
  sex: 'sex', gender: 'sex', 性别: 'sex',
  category: 'category', 类别: 'category', 名单: 'category',
  remark: 'remark', 备注: 'remark',
};

const SEX: Record<string, number> = { '': 0, '0': 0, '1': 1, '2': 2, 男: 1, 女: 2, m: 1, male: 1, f: 2, female: 2, 未知: 0, unknown: 0 };
const CATEGORY: Record<string, number> = { '': 0, '0': 0, '1': 1, 白名单: 0, 黑名单: 1, whitelist: 0, blacklist: 1, white: 0, black: 1 };

/**
 * Rows of a CSV. `photos` = the file names available; a row naming a photo that is not among them
 * gets the 'photoMissing' problem. Throws Error('csv:noNameColumn') without a name column.
 */
export function rowsFromCsv(text: string, photos: readonly string[]): ImportRow[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const [header = [], ...lines] = parsed.data;
  const fields = header.map((h) => COLUMNS[h.trim().toLowerCase()] ?? COLUMNS[h.trim()]);
  if (!fields.includes('name')) throw new Error('csv:noNameColumn');
  const known = new Map(photos.map((p) => [baseName(p).toLowerCase(), baseName(p)]));
  return lines.map((cells, i) => {
    const row: ImportRow = { row: i + 2, name: '', photo: '' };
    fields.forEach((f, c) => {
      const v = (cells[c] ?? '').trim();
      if (!f) return;
      if (f === 'sex') {
        const s = SEX[v.toLowerCase()];
        if (s === undefined) row.problem ??= { key: 'badSex', detail: v };
        else row.sex = s;
      } else if (f === 'category') {
        const k = CATEGORY[v.toLowerCase()];
        if (k === undefined) row.problem ??= { key: 'badCategory', detail: v };
        else row.category = k;
      } else if (v) {
        (row as Record<string, unknown>)[f] = v;
      }
    });
    if (!row.name) row.problem = { key: 'noName' };
    else if (!row.photo) row.problem ??= { key: 'noPhoto' };
    else {
      const found = known.get(baseName(row.photo).toLowerCase());
      if (found) row.photo = found;
      else row.problem ??= { key: 'photoMissing', detail: row.photo };
    }
    return row;
  });
}

/** Rows from photo names alone (no CSV): one per image, in name order. */
export function rowsFromPhotoNames(names: readonly string[]): ImportRow[] {
  const images = names.filter(isImageName).map(baseName).sort((a, b) => a.localeCompare(b, 'zh-CN', { numeric: true }));
  return images.map((photo, i) => ({ row: i + 1, photo, ...personFromFileName(photo) }));
}

/**
 * A zip's entries: decoded last path part → the name fflate reads the entry by. Names flagged UTF-8
 * (general-purpose bit 11) are UTF-8; unflagged ones are UTF-8 when they decode as such (many tools
 * leave the flag out), else GBK. fflate itself reads unflagged names as Latin-1, one char per byte,
 * so that is the key kept for reading. Folders and macOS metadata are skipped.
 */
export function zipEntries(zip: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('zip:notAZip');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  for (let i = 0, p = offset; i < count; i++) {
    if (p + 46 > zip.length || view.getUint32(p, true) !== 0x02014b50) throw new Error('zip:corrupt');
    const utf8Flag = (view.getUint16(p + 8, true) & 0x800) !== 0;
    const nameLength = view.getUint16(p + 28, true);
    const bytes = zip.subarray(p + 46, p + 46 + nameLength);
    p += 46 + nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    const decoded = utf8Flag ? new TextDecoder().decode(bytes) : decodeText(bytes);
    if (decoded.endsWith('/') || /(^|\/)(__MACOSX|\.)/.test(decoded)) continue;
    const key = utf8Flag ? decoded : String.fromCharCode(...bytes);
    out.set(baseName(decoded), key);
  }
  return out;
}

/** One entry's bytes (read on demand, so a big zip is never unpacked whole). */
export function zipEntry(zip: Uint8Array, rawName: string): Uint8Array | undefined {
  return unzipSync(zip, { filter: (f) => f.name === rawName })[rawName];
}

/** Marks rows whose photo an earlier row already uses (the same face enrolled twice is a mistake). */
export function markDuplicatePhotos(rows: ImportRow[]): ImportRow[] {
  const seen = new Set<string>();
  return rows.map((r) => {
    if (r.problem || !r.photo) return r;
    const k = r.photo.toLowerCase();
    if (seen.has(k)) return { ...r, problem: { key: 'duplicatePhoto', detail: r.photo } };
    seen.add(k);
    return r;
  });
}
