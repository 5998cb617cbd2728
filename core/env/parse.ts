/**
 * What every env schema shares: the value types environment variables arrive as, and one parse
 * that fails fast with a ConfigError naming each bad variable. The deployables' schemas
 * (core/config.ts for the API host, stream-node/config.ts) are built from the fragments beside
 * this file, one per concern (storage, bus, pipeline, face), so a setting both read is defined once.
 */
import { z } from 'zod';

export class ConfigError extends Error {}

export const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
export const optionalString = z.string().trim().min(1).optional();
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const port = int(0, 65535);

/** a stream node's name: lease owner and `node` of its face messages */
export const nodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'letters, digits, - and _ (at most 63)');

/** Parses `env` with `schema`; ConfigError "bad environment: VAR: why; ..." otherwise. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`bad environment: ${problems}`);
  }
  return parsed.data;
}
