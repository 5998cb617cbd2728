/**
 * The picture references the API hands out (`pic_url`, `capture_url`) and the object keys behind
 * them: one contract, used by the stream node (it builds capture keys) and the API (it checks and
 * reads references). A reference is "/" + its object key. Three shapes exist:
 *
 *   /pictures/yyyy/mm/dd/<uuid>.<jpg|png|bmp|webp>       an upload (/UploadPersonPicture)
 *   /captures/yyyy-mm-dd/<camera id>/<name>.jpg          a face crop a stream node stored
 *                                                        (<name> = <node>-<run>-<track>-<n>)
 *   /captures/yyyy/mm/dd/<uuid>.<ext>                    the first documented capture shape: never
 *                                                        produced by a stream node, still read (data
 *                                                        made by tools or imports may use it)
 *
 * Anything else (other prefixes, `..`, URLs, other buckets) is not a reference of this server.
 */
export type PictureKind = 'pictures' | 'captures';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const DATED = new RegExp(`^/(pictures|captures)/\\d{4}/\\d{2}/\\d{2}/${UUID}\\.(jpg|png|bmp|webp)$`);
const CAPTURE = /^\/captures\/\d{4}-\d{2}-\d{2}\/\d{1,10}\/[A-Za-z0-9][A-Za-z0-9_-]{0,199}\.jpg$/;

export type PictureRef = { kind: PictureKind; url: string; key: string };

/** The kind and object key of a reference of this server; undefined for anything else. */
export function parsePictureUrl(url: string): PictureRef | undefined {
  if (typeof url !== 'string') return undefined;
  const dated = DATED.exec(url);
  const kind = dated ? (dated[1] as PictureKind) : CAPTURE.test(url) ? 'captures' : undefined;
  return kind ? { kind, url, key: url.slice(1) } : undefined;
}

/** The object key behind a reference (callers check it with parsePictureUrl first). */
export const keyOfUrl = (url: string): string => url.slice(1);

/** An upload's reference: /pictures/yyyy/mm/dd/<uuid>.<ext>, dated by the server's wall clock. */
export function uploadUrl(day: { year: number; month: number; day: number }, uuid: string, ext: 'jpg' | 'png' | 'bmp' | 'webp'): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `/pictures/${day.year}/${p2(day.month)}/${p2(day.day)}/${uuid}.${ext}`;
}

/** The object key of a face crop: captures/<UTC yyyy-mm-dd of the shot>/<camera id>/<name>.jpg. */
export function captureKey(o: { time: number; cameraId: number; name: string }): string {
  return `captures/${new Date(o.time).toISOString().slice(0, 10)}/${o.cameraId}/${o.name}.jpg`;
}

/** The reference of a capture key a node sent (with or without its leading "/"); undefined if it is not one. */
export function captureUrlOfKey(key: string): string | undefined {
  const url = `/${key.replace(/^\/+/, '')}`;
  return parsePictureUrl(url)?.kind === 'captures' ? url : undefined;
}
