/**
 * The one redaction rule for secrets (docs/security.md "What is masked"):
 * - Config values (GetSystemConfig, and anything else shown back): a key whose name contains
 *   pass, secret, token, key, credential, pin, private or auth (any case, at any depth) has its
 *   value shown as "******". Broad on purpose: `api_key`, `tokens`, `secret_pin`, `credentials`,
 *   `access_key` all match; an over-masked field costs a round trip, a leaked one costs a breach.
 * - Free text (every log line, every field of it, error messages included): credentials inside
 *   URLs (`scheme://user:password@host`) and the values of query parameters whose name contains
 *   pass, pwd, token, secret, key, auth or credential (`?password=`, `&api_key=`, `;pwd=`) are
 *   replaced by "***". Camera RTSP URLs carry passwords, and ffmpeg repeats them in its errors.
 */

export const MASK = '******';

/** config keys whose values are secrets */
export const SECRET_KEY = /pass|secret|token|key|credential|pin|private|auth/i;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isEmpty = (v: Json) => v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** `value` with every secret key's non-empty value replaced by MASK, at any depth. */
export function maskSecrets(value: Json): Json {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && !isEmpty(v) ? MASK : maskSecrets(v)]));
  }
  return value;
}

/** `next` with each MASK under a secret key replaced by the stored value of that key (a masked read sent back). */
export function unmaskSecrets(next: Json, prev: Json | undefined): Json {
  if (Array.isArray(next)) return next.map((x, i) => unmaskSecrets(x, Array.isArray(prev) ? prev[i] : undefined));
  if (next && typeof next === 'object') {
    const p = prev && typeof prev === 'object' && !Array.isArray(prev) ? prev : {};
    return Object.fromEntries(Object.entries(next).map(([k, x]) => [k, x === MASK && SECRET_KEY.test(k) ? (p[k] ?? x) : unmaskSecrets(x, p[k])]));
  }
  return next;
}

const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"<>]*@/gi;
const SECRET_PARAM = /([?&;][a-z_-]*(?:pass|pwd|token|secret|key|auth|credential)[a-z_-]*=)[^&;\s'"<>#]*/gi;

/** Free text with URL credentials and secret query parameters replaced by ***. */
export function redactText(s: string): string {
  if (!s.includes('://') && !s.includes('=')) return s;
  return s.replace(URL_USERINFO, '$1***@').replace(SECRET_PARAM, '$1***');
}

/**
 * redactText over every string of a log record (objects, arrays, errors' message, stack and cause),
 * depth-bounded. Errors stay errors (a copy of the same class), so the logger still serialises them.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (!value || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error) {
    const e = Object.create(Object.getPrototypeOf(value)) as Error;
    for (const [k, v] of Object.entries(value)) (e as unknown as Record<string, unknown>)[k] = redactDeep(v, depth + 1);
    Object.defineProperty(e, 'message', { value: redactText(value.message), enumerable: false, writable: true });
    Object.defineProperty(e, 'stack', { value: value.stack && redactText(value.stack), enumerable: false, writable: true });
    if (value.cause !== undefined) Object.defineProperty(e, 'cause', { value: redactDeep(value.cause, depth + 1), enumerable: false, writable: true });
    return e;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value; // Buffers, Dates...
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}
