import { AppError } from '../errors.ts';

/**
 * Object keys: "/"-separated segments of letters, digits, '.', '_' and '-', each segment starting
 * with a letter or digit (so no "", ".", ".." or hidden names), at most 512 characters. One leading
 * "/" is allowed and ignored, so a pic_url such as "/pictures/2026/11/23/<uuid>.jpg" can be used as
 * the key directly. Callers validate their references too; this is the store's own line of defence.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

export function normalizeKey(key: string): string {
  const k = typeof key === 'string' && key.startsWith('/') ? key.slice(1) : key;
  if (typeof k !== 'string' || k.length === 0 || k.length > MAX_KEY_LENGTH || !k.split('/').every((s) => SEGMENT.test(s))) {
    throw new AppError('INVALID_PIC_URL', `object key is not valid: ${JSON.stringify(String(key).slice(0, 80))}`);
  }
  return k;
}

/** Runs `work` with a deadline; on expiry rejects with STORAGE_UNAVAILABLE naming `what`. */
export async function withDeadline<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new AppError('STORAGE_UNAVAILABLE', `${what.split(' ')[0]} failed: the object store timed out (no answer within ${ms} ms)`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
