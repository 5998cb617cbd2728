/**
 * Saving what an export URI answers (/ExportCaptureRecord, /ExportRollCall, /ExportAttendance: `data`
 * = base64 of a UTF-8 CSV with a byte-order mark) as a file. The bytes are handed over as they came
 * (BOM included, so Excel reads Chinese names as UTF-8) through a Blob: a data: URL of a few MB is
 * slow, and some browsers refuse large ones.
 */

/** base64 → bytes, unchanged (no text decoding: the BOM and UTF-8 stay as sent). */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A file name for an export: the kind, the parts that tell it apart (task name, dates), and when it
 * was made; characters file systems refuse (and spaces) become "-".
 */
export function exportFileName(kind: string, parts: (string | number | undefined)[] = [], now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const name = [kind, ...parts.filter((p) => p !== undefined && p !== ''), stamp].map(String).join('_');
  // eslint-disable-next-line no-control-regex
  return `${name.replace(/[\u0000-\u001f\u007f<>:"/\\|?*\s]+/g, '-').slice(0, 150)}.csv`;
}

/** Offers `bytes` to the user as a download named `fileName`. */
export function saveFile(bytes: Uint8Array, fileName: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // the download has its own reference once started; the URL is only needed for the click
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
