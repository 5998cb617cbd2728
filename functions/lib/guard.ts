/**
 * What every request passes before its handler, in the order that keeps an anonymous caller cheap:
 * the content type, the session from a header (checked before the body is read), the body under its
 * bounds (big bodies not yet tied to a session are read a few at a time; uploads stop at the first
 * form part without a session), then the session from the body and the URI's role.
 */
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { AppError } from '../../core/errors.ts';
import { hasRole } from '../../core/roles.ts';
import type { Caller } from '../services/accounts.ts';
import type { Services } from '../services/index.ts';
import type { HostEnv, Role } from './define.ts';
import { parseJsonObject, readBody, sessionOf } from './http.ts';
import { readMultipart } from './multipart.ts';

/** JSON bodies above this size, from a caller not yet known by a header session, pass the body gate. */
const GATED_BODY_BYTES = 64 * 1024;

/** JSON URIs take `application/json` only: a form or text/plain body is what a foreign web page can send without asking. */
export function requireJson(req: Request): void {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new AppError('UNSUPPORTED_CONTENT_TYPE', `content-type: must be application/json (got ${JSON.stringify(type.slice(0, 60) || '(none)')})`);
  }
}

/** The session in `Authorization: Bearer` or `X-Session`, if any. */
export function headerSession(req: Request): string | undefined {
  return sessionOf(req, {});
}

export function requireRole(role: Caller['role'], needed: Role): void {
  if (needed !== 'none' && !hasRole(role, needed)) throw new AppError('PERMISSION_DENIED', `permission denied: needs the ${needed} role`);
}

/**
 * The client's address: the socket's peer. `X-Forwarded-For` counts only when the peer is one of
 * TRUSTED_PROXIES; then the right-most address not itself a trusted proxy is the client (the ones
 * left of it were written by the client and prove nothing). No socket (a function runtime): 'unknown'.
 */
export function clientAddress(c: Context<HostEnv>, trusted: BlockList | undefined): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  let addr = incoming?.socket?.remoteAddress;
  if (!addr) return 'unknown';
  addr = addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!trusted || !isTrusted(trusted, addr)) return addr;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  while (hops.length) {
    const hop = hops.pop()!.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    if (!isIP(hop)) return addr; // garbage in the header: keep what the socket says
    if (!isTrusted(trusted, hop)) return hop;
    addr = hop;
  }
  return addr;
}
const isTrusted = (list: BlockList, ip: string) => list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** `release` frees what the request holds (an upload slot) once its handler is done. */
export type Admitted = { body: Record<string, unknown>; caller: Caller; release: () => void };

/** Runs the checks above; the body (session removed) and who is calling. */
export async function admit(c: Context<HostEnv>, services: Services, def: { role: Role; body?: 'json' | 'multipart' }): Promise<Admitted> {
  const req = c.req.raw;
  const { config, accounts, gates } = services;
  const address = clientAddress(c, config.trustedProxies);
  let caller: Caller | undefined = def.role === 'none' ? { userId: 0, role: 'viewer', address } : undefined;
  const authorize = async (token: string | undefined) => {
    if (caller) return;
    const user = await accounts.authenticate(token);
    requireRole(user.role, def.role);
    caller = { ...user, address };
  };

  if (def.body !== 'multipart') requireJson(req);
  const fromHeader = headerSession(req);
  if (fromHeader) await authorize(fromHeader);

  let body: Record<string, unknown>;
  let release = () => {};
  if (def.body === 'multipart') {
    // An upload holds its bytes until the handler is done: only so many at once, and a slot is
    // taken only once the caller is known (so anonymous uploads cannot use them up).
    try {
      body = await readMultipart(req, { maxBytes: config.maxUploadBytes, maxParts: config.maxFormParts, maxFieldBytes: 4096 }, async (session) => {
        await authorize(session);
        release = await gates.uploads.acquire();
      });
    } catch (e) {
      release();
      throw e;
    }
  } else {
    const declared = Number(req.headers.get('content-length') ?? NaN);
    const read = async () => parseJsonObject(await readBody(req, config.maxBodyBytes), config.maxJsonDepth);
    body = caller || declared <= GATED_BODY_BYTES ? await read() : await gates.bodies.run(read);
    await authorize(sessionOf(req, body));
  }
  delete body.session;
  return { body, caller: caller!, release };
}
