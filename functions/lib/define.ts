/**
 * The one factory every function uses. `defineFunction({uri, role, input, output, errors, ...})`
 * yields a Hono app answering `POST <uri>`: the request guard (guard.ts: content type, session and
 * role, the body under its bounds) admits the request, zod validates the input, the handler runs and
 * its result is wrapped in the {code, msg} envelope. Errors become {code, msg} from core/errors.ts;
 * anything unexpected is logged with the request id → INTERNAL. HTTP status is always 200: clients
 * check `code`.
 *
 * The definition is also the URI's description: its input and output schemas, who may call it, the
 * error codes it can answer and an example make the OpenAPI document and the API reference
 * (functions/lib/openapi.ts). With VALIDATE_RESPONSES on (the test suite turns it on) every answer
 * is checked against that description; one that drifts answers RESPONSE_INVALID naming the
 * difference, so the test that produced it fails.
 *
 * Services reach the handler through the Hono context, put there by the init middleware of
 * functions/lib/app.ts (the same for the whole host and for one function deployed alone).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ErrorTable, type ErrorName } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { UserRole } from '../../core/roles.ts';
import type { Services } from '../services/index.ts';
import { admit, requireRole } from './guard.ts';
import { errorEnvelope, invalidField, ok, type Envelope } from './http.ts';
import { none } from './outputs.ts';

export type HostEnv = { Variables: { services: Services; requestId: string; log: Logger; code?: number } };

export type FunctionContext = {
  services: Services;
  /** the logged-in user; 0 for functions without auth */
  userId: number;
  /** that user's role ('viewer' for functions without auth) */
  role: UserRole;
  /** the client's address (the socket's peer, or a trusted proxy's X-Forwarded-For) */
  clientAddress: string;
  requestId: string;
  log: Logger;
};

/**
 * The least role that may call a URI; 'none' = no session at all (only /Login). Roles are ordered
 * viewer < operator < admin: viewers query, download and compare; operators also manage libraries,
 * persons, pictures, cameras, tasks and records; admins also manage accounts and system config.
 */
export type Role = 'none' | 'viewer' | 'operator' | 'admin';

type Result<O> = O extends z.ZodType ? z.input<O> : void;

export type FunctionDefinition<S extends z.ZodType, O extends z.ZodType | undefined> = {
  uri: `/${string}`;
  /** who may call it (see Role) */
  role: Role;
  /** one line for the API reference */
  summary: string;
  /** the rules a caller needs beyond the fields (optional; English, markdown) */
  description?: string;
  input: S;
  /** the fields of a successful answer beside code and msg; absent: none */
  output?: O;
  /** the codes it can answer beyond those every URI can (see commonErrors) */
  errors: readonly ErrorName[];
  /** a request (without session) and its answer's fields, for the reference (checked by a test) */
  example: { input: Record<string, unknown>; output?: Record<string, unknown> };
  /** default 'json'; 'multipart' for uploads (limit MAX_UPLOAD_BYTES instead of MAX_BODY_BYTES) */
  body?: 'json' | 'multipart';
  handler: (input: z.output<S>, ctx: FunctionContext) => Promise<Result<O>> | Result<O>;
};

export type ApiFunction = {
  readonly uri: string;
  readonly role: Role;
  readonly summary: string;
  readonly description?: string;
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  /** every code it can answer (common ones first), 0 not included */
  readonly errors: readonly ErrorName[];
  readonly example: { input: Record<string, unknown>; output?: Record<string, unknown> };
  readonly body: 'json' | 'multipart';
  readonly app: Hono<HostEnv>;
};

/**
 * The codes every URI of this shape can answer, whatever its handler does: the request guard's
 * (guard.ts: content type, session, role, body bounds, busy gates) and the envelope's.
 */
export function commonErrors(def: { role: Role; body?: 'json' | 'multipart'; input: z.ZodType }): ErrorName[] {
  const hasFields = !(def.input instanceof z.ZodObject && Object.keys(def.input.shape).length === 0);
  const multipart = def.body === 'multipart';
  return [
    ...(def.role === 'none' ? [] : (['SESSION_MISSING', 'SESSION_INVALID', 'SESSION_EXPIRED'] as const)),
    ...(def.role === 'operator' || def.role === 'admin' ? (['PERMISSION_DENIED'] as const) : []),
    'UNSUPPORTED_CONTENT_TYPE', 'MALFORMED_JSON',
    ...(multipart ? (['TOO_MANY_FIELDS'] as const) : (['JSON_TOO_DEEP'] as const)),
    'BODY_TOO_LARGE', 'SERVER_BUSY',
    ...(hasFields || multipart ? (['INVALID_FIELD'] as const) : []),
    'INTERNAL', 'DB_UNAVAILABLE',
  ];
}

export function defineFunction<S extends z.ZodType, O extends z.ZodType | undefined = undefined>(def: FunctionDefinition<S, O>): ApiFunction {
  const errors = [...new Set([...commonErrors(def), ...def.errors])];
  const fn: Omit<ApiFunction, 'app'> = {
    uri: def.uri, role: def.role, summary: def.summary, description: def.description, input: def.input, output: def.output ?? none,
    errors, example: def.example, body: def.body ?? 'json',
  };
  const app = new Hono<HostEnv>();
  app.post(def.uri, async (c) => {
    const services = c.get('services');
    const log = c.get('log');
    let answer: Envelope;
    let release = () => {};
    let admitted: Awaited<ReturnType<typeof admit>> | undefined;
    try {
      admitted = await admit(c, services, fn);
      release = admitted.release;
      const { body, caller } = admitted;
      const parsed = def.input.safeParse(body);
      if (!parsed.success) throw invalidField(parsed.error, body);
      const ctx = { services, userId: caller.userId, role: caller.role, clientAddress: caller.address, requestId: c.get('requestId'), log };
      const result = await def.handler(parsed.data, ctx);
      answer = ok((result ?? undefined) as object | undefined);
    } catch (e) {
      // refused before its body was read (content type, session, role, bounds): the rest of the body
      // is not read either, so the connection cannot be reused
      if (!admitted) c.header('Connection', 'close');
      answer = errorEnvelope(e, log);
    } finally {
      release();
    }
    if (services.config.validateResponses) answer = conform(fn, answer, log);
    c.set('code', answer.code);
    return c.json(answer);
  });
  return { ...fn, app };
}

/** The answer if it matches the URI's description; RESPONSE_INVALID naming the difference otherwise. */
export function conform(fn: Pick<ApiFunction, 'uri' | 'output' | 'errors'>, answer: Envelope, log: Logger): Envelope {
  let problem: string | undefined;
  if (answer.code === 0) {
    const { code: _c, msg: _m, ...fields } = answer;
    const r = fn.output.safeParse(fields);
    if (!r.success) problem = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
  } else if (!fn.errors.some((name) => ErrorTable[name].code === answer.code)) {
    problem = `code ${answer.code} is not among the declared error codes (${answer.msg})`;
  }
  if (problem === undefined) return answer;
  log.error({ uri: fn.uri, problem, answer: answer.code }, 'answer does not match its declared schema');
  return { code: ErrorTable.RESPONSE_INVALID.code, msg: `${fn.uri}: ${problem}` };
}

/** What the host mounts: a URI's own Hono app (a POST function, or GET /Events: functions/lib/stream.ts). */
export type Mountable = { readonly uri: string; readonly role: Role; readonly app: Hono<HostEnv> };

/** The caller of a URI that takes its session as a token (GET /Events): the session, then the role. */
export async function callerOf(services: Services, role: Role, token: string | undefined): Promise<{ userId: number; role: UserRole }> {
  if (role === 'none') return { userId: 0, role: 'viewer' };
  const user = await services.accounts.authenticate(token);
  requireRole(user.role, role);
  return { userId: user.userId, role: user.role };
}
