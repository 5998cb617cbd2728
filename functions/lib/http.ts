/** Reading requests safely (size limit before parsing) and the {code, msg} envelope. */
import { AppError, ErrorTable, isAppError, isConnectionError, type ErrorName } from '../../core/errors.ts';
import { parseJsonBounded } from '../../core/json.ts';
import type { Logger } from '../../core/log.ts';
import { LogThrottle } from '../../core/log-throttle.ts';
import type { z } from 'zod';

export type Envelope = { code: number; msg: string; [k: string]: unknown };

/** The client went away while its body was being read: nobody is left to answer. */
export class ClientAbort extends Error {
  constructor(cause: unknown) {
    super('client closed the connection while sending its body', { cause });
  }
}

export const ok = (result: object | void): Envelope => ({ code: 0, msg: '', ...(result ?? {}) });

/** a database outage is logged once per this, however many requests it fails */
const OUTAGE_LOG_MS = 10_000;
const outageLog = new LogThrottle(OUTAGE_LOG_MS);

/**
 * AppError → its code and msg; anything else is logged with the request id and answered INTERNAL
 * (or DB_UNAVAILABLE, logged at most once per 10 s with the count of those not logged).
 */
export function errorEnvelope(e: unknown, log: Logger, now = Date.now()): Envelope {
  if (isAppError(e)) return { code: e.code, msg: e.message };
  if (e instanceof ClientAbort) {
    // nobody reads this answer; a reset socket is not the database's fault
    log.debug({ err: e.cause }, e.message);
    return { code: ErrorTable.MALFORMED_JSON.code, msg: 'body was cut off' };
  }
  if (isConnectionError(e)) {
    const suppressed = outageLog.pass('database', now);
    if (suppressed !== undefined) log.error({ err: e, ...(suppressed ? { suppressed } : {}) }, `database unavailable (the same answer within ${OUTAGE_LOG_MS / 1000} s is counted, not logged)`);
    return { code: ErrorTable.DB_UNAVAILABLE.code, msg: ErrorTable.DB_UNAVAILABLE.msg };
  }
  log.error({ err: e }, 'unhandled error');
  return { code: ErrorTable.INTERNAL.code, msg: ErrorTable.INTERNAL.msg };
}

/** Reads at most `max` bytes of the body; BODY_TOO_LARGE beyond, without buffering the rest. */
export async function readBody(req: Request, max: number): Promise<Buffer> {
  const length = req.headers.get('content-length');
  const declared = Number(length ?? NaN);
  if (declared > max) throw new AppError('BODY_TOO_LARGE', `request body is larger than ${max} bytes`);
  // A declared length bounds the body (the HTTP parser reads no more), so it is read whole; on
  // @hono/node-server arrayBuffer() reads the socket directly, without building a web stream
  // (~7 % of the CPU of a small list request). Chunked bodies are counted as they stream in.
  if (length !== null && /^\d+$/.test(length)) {
    try {
      return Buffer.from(await req.arrayBuffer());
    } catch (e) {
      throw new ClientAbort(e);
    }
  }
  if (!req.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch((e: unknown) => { throw new ClientAbort(e); });
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new AppError('BODY_TOO_LARGE', `request body is larger than ${max} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, size);
}

/** The JSON object body; an empty body is {} (so missing fields are named), anything else MALFORMED_JSON. */
export function parseJsonObject(body: Buffer, maxDepth?: number): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = parseJsonBounded(body.toString('utf8'), 'body', maxDepth);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError('MALFORMED_JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('MALFORMED_JSON', 'body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The first zod issue as an AppError with a msg naming the field path ("x: is required" when
 * absent): INVALID_FIELD, or the code a check of functions/lib/fields.ts gave it (INVALID_PLAN, ...).
 */
export function invalidField(error: z.ZodError, body: unknown): AppError {
  const issue = error.issues[0];
  const path = issue.path.length ? issue.path.map(String).join('.') : 'body';
  let value: unknown = body;
  for (const k of issue.path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && value === undefined;
  const coded = issue.code === 'custom' ? (issue.params as { kind?: ErrorName } | undefined)?.kind : undefined;
  const msg = missing ? `${path}: is required` : issue.message.startsWith(`${path}:`) || issue.message.startsWith(`${path}.`) ? issue.message : `${path}: ${issue.message}`;
  return new AppError(coded ?? 'INVALID_FIELD', msg);
}

/** The session: body/form field `session`, `Authorization: Bearer`, or `X-Session`. */
export function sessionOf(req: Request, body: Record<string, unknown>): string | undefined {
  const s = body.session;
  if (typeof s === 'string' && s) return s;
  if (s !== undefined && s !== null && s !== '') return JSON.stringify(s); // wrong type: unknown session
  const auth = req.headers.get('authorization');
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (m) return m[1];
  return req.headers.get('x-session') || undefined;
}
