/**
 * The one factory every function uses. `defineFunction({uri, input, handler})` yields a Hono app
 * answering `POST <uri>`: it reads the body under a size limit, checks the session, validates the
 * input with zod, runs the handler and wraps its result in the {code, msg} envelope. Errors become
 * {code, msg} from core/errors.ts; anything unexpected is logged with the request id → INTERNAL.
 * HTTP status is always 200: clients check `code`.
 *
 * Services reach the handler through the Hono context, put there by the init middleware of
 * functions/lib/app.ts (the same for the whole host and for one function deployed alone).
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import type { Logger } from '../../core/log.ts';
import type { Services } from '../services/index.ts';
import { errorEnvelope, invalidField, ok, parseJsonObject, parseMultipart, readBody, sessionOf } from './http.ts';

export type HostEnv = { Variables: { services: Services; requestId: string; log: Logger } };

export type FunctionContext = {
  services: Services;
  /** the logged-in user; 0 for functions without auth */
  userId: number;
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

/** What the host mounts: a URI's own Hono app (a POST function, or GET /Events: functions/lib/stream.ts). */
export type Mountable = { readonly uri: string; readonly role: Role; readonly app: Hono<HostEnv> };

/** The caller's user id for a URI that needs `role` (0 for 'none'): the one session check of every URI. */
export async function callerOf(services: Services, role: Role, token: string | undefined): Promise<number> {
  return role === 'none' ? 0 : services.accounts.authenticate(token);
}

export function defineFunction<S extends z.ZodType, R extends object | void>(def: FunctionDefinition<S, R>): ApiFunction {
  const app = new Hono<HostEnv>();
  app.post(def.uri, async (c) => {
    const services = c.get('services');
    const log = c.get('log');
    try {
      const limit = def.body === 'multipart' ? services.config.maxUploadBytes : services.config.maxBodyBytes;
      const raw = await readBody(c.req.raw, limit);
      const body = def.body === 'multipart' ? await parseMultipart(c.req.raw, raw) : parseJsonObject(raw);
      const userId = await callerOf(services, def.role, sessionOf(c.req.raw, body));
      delete body.session;
      const parsed = def.input.safeParse(body);
      if (!parsed.success) throw invalidField(parsed.error, body);
      const result = await def.handler(parsed.data, { services, userId, requestId: c.get('requestId'), log });
      return c.json(ok(result ?? undefined));
    } catch (e) {
      return c.json(errorEnvelope(e, log));
    }
  });
  return { uri: def.uri, role: def.role, input: def.input, output: def.output, app };
}
