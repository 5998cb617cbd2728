/**
 * Calls the documented URIs: `POST /<Uri>` with a JSON body (application/json, as the server
 * requires), the session in the `X-Session` header (checked before the body is read). An answer
 * with `code` != 0 becomes an ApiError; a session the server no longer knows sends the user to the
 * login page, remembering where they were (they come back there after logging in).
 */
import { SESSION_CODES } from '../lib/live.ts';
import { neededRole } from '../lib/roles.ts';
import { here, navigate, route } from '../lib/router.ts';
import { roleRefused, session, setSession } from './session.ts';

/** The codes that mean "log in again": missing, unknown or expired session. */
export { SESSION_CODES };

export type Envelope = { code: number; msg: string };

export class ApiError extends Error {
  constructor(readonly code: number, msg: string, readonly uri: string) {
    super(msg);
  }
}

/** Not an answer of the server (network down, host restarting, not JSON). */
export const NETWORK_ERROR = -1;
export const UNKNOWN_URI = 3000;
export const PERMISSION_DENIED = 1008;

export type Paged<T> = { page_no: number; page_size: number; total_count: number; items: T[] };

export function sessionLost(): void {
  if (!session.value) return;
  setSession(null);
  if (route.value.path !== '/login') navigate(`/login?next=${encodeURIComponent(here())}`, true);
}

async function send(uri: string, init: RequestInit): Promise<Envelope & Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(uri, { ...init, method: 'POST', credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(NETWORK_ERROR, (e as Error).message || 'network error', uri);
  }
  let body: Envelope & Record<string, unknown>;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(NETWORK_ERROR, `HTTP ${res.status}: the answer is not JSON`, uri);
  }
  if (typeof body?.code !== 'number') throw new ApiError(NETWORK_ERROR, `HTTP ${res.status}: no code in the answer`, uri);
  if (body.code !== 0) {
    if (SESSION_CODES.has(body.code) && uri !== '/Login') sessionLost();
    const need = body.code === PERMISSION_DENIED ? neededRole(body.msg ?? '') : undefined;
    if (need) roleRefused(need);
    throw new ApiError(body.code, body.msg ?? '', uri);
  }
  return body;
}

const headers = (json: boolean): Record<string, string> => {
  const h: Record<string, string> = json ? { 'content-type': 'application/json' } : {};
  if (session.value) h['x-session'] = session.value.session;
  return h;
};

/** POST a JSON body; the answer's fields beside code and msg, or an ApiError. */
export async function call<T = Record<string, unknown>>(uri: `/${string}`, body: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  return (await send(uri, { headers: headers(true), body: JSON.stringify(body), signal })) as T;
}

/** A paged query's `info`. */
export async function query<T>(uri: `/${string}`, body: Record<string, unknown>, signal?: AbortSignal): Promise<Paged<T>> {
  return (await call<{ info: Paged<T> }>(uri, body, signal)).info;
}

/** multipart upload (/UploadPersonPicture): the session goes first in the form and in the header. */
export async function upload(file: Blob, filename: string): Promise<{ pic_url: string }> {
  const form = new FormData();
  if (session.value) form.append('session', session.value.session);
  form.append('file', file, filename);
  return (await send('/UploadPersonPicture', { headers: headers(false), body: form })) as unknown as { pic_url: string };
}

/**
 * Does this server have a URI? Asked with a body that cannot parse, so an existing URI refuses it
 * (malformed body, or a session/permission code) without doing anything, and a missing one answers
 * UNKNOWN_URI. A page or part built on URIs a server may lack shows "not available" on false
 * (components/ui.tsx Requires); today every URI the console calls exists.
 */
const probes = new Map<string, Promise<boolean>>();
export function hasUri(uri: `/${string}`): Promise<boolean> {
  let p = probes.get(uri);
  if (!p) {
    p = fetch(uri, { method: 'POST', headers: headers(true), body: '{', cache: 'no-store' })
      .then((r) => r.json())
      .then((b: Envelope) => b.code !== UNKNOWN_URI, () => false);
    probes.set(uri, p);
    p.then((ok) => { if (!ok) setTimeout(() => probes.delete(uri), 60_000); });
  }
  return p;
}
