/**
 * The one factory every function uses. `defineFunction({uri, input, handler})` yields a Hono app
 * answering `POST <uri>`: the request guard (guard.ts: content type, session and role, the body
 * under its bounds) admits the request, zod validates the input, the handler runs and its result is
 * wrapped in the {code, msg} envelope. Errors become
 * {code, msg} from core/errors.ts; anything unexpected is logged with the request id → INTERNAL.
 * HTTP status is always 200: clients check `code`.
 *
 * Services reach the handler through the Hono context, put there by the init middleware of
 * functions/lib/app.ts (the same for the whole host and for one function deployed alone).
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import type { Logger } from '../../core/log.ts';
import type { UserRole } from '../../core/roles.ts';
import type { Services } from '../services/index.ts';
import { admit, requireRole } from './guard.ts';
import { errorEnvelope, invalidField, ok } from './http.ts';

export type HostEnv = { Variables: { services: Services; requestId: string; log: Logger } };

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

export type FunctionDefinition<S extends z.ZodType, R extends object | void> = {
  uri: `/${string}`;
  /** who may call it (see Role) */
  role: Role;
  input: S;
  /** the fields of a successful answer beside code and msg (when declared) */
  output?: z.ZodType;
  /** default 'json'; 'multipart' for uploads (limit MAX_UPLOAD_BYTES instead of MAX_BODY_BYTES) */
  body?: 'json' | 'multipart';
  handler: (input: z.output<S>, ctx: FunctionContext) => Promise<R> | R;
};

export type ApiFunction = { readonly uri: string; readonly role: Role; readonly input: z.ZodType; readonly output?: z.ZodType; readonly app: Hono<HostEnv> };

export function defineFunction<S extends z.ZodType, R extends object | void>(def: FunctionDefinition<S, R>): ApiFunction {
  const app = new Hono<HostEnv>();
  app.post(def.uri, async (c) => {
    const services = c.get('services');
    const log = c.get('log');
    let release = () => {};
    let admitted: Awaited<ReturnType<typeof admit>> | undefined;
    try {
      admitted = await admit(c, services, def);
      release = admitted.release;
      const { body, caller } = admitted;
      const parsed = def.input.safeParse(body);
      if (!parsed.success) throw invalidField(parsed.error, body);
      const ctx = { services, userId: caller.userId, role: caller.role, clientAddress: caller.address, requestId: c.get('requestId'), log };
      const result = await def.handler(parsed.data, ctx);
      return c.json(ok(result ?? undefined));
    } catch (e) {
      // refused before its body was read (content type, session, role, bounds): the rest of the body
      // is not read either, so the connection cannot be reused
      if (!admitted) c.header('Connection', 'close');
      return c.json(errorEnvelope(e, log));
    } finally {
      release();
    }
  });
  return { uri: def.uri, role: def.role, input: def.input, output: def.output, app };
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
