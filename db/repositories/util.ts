/** Small query helpers shared by the repositories. */
import { ilike, type AnyColumn, type SQL } from 'drizzle-orm';

/** Escapes LIKE metacharacters so user text matches literally ('\' is Postgres's default escape). */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Case-insensitive substring match with `%` and `_` taken literally. */
export const contains = (col: AnyColumn, s: string): SQL => ilike(col, `%${escapeLike(s)}%`);

export type Page = { pageNo: number; pageSize: number };
export const offsetOf = (p: Page) => (p.pageNo - 1) * p.pageSize;

/** The SQLSTATE of a driver error, through drizzle's wrapping (postgres.js and PGlite both set .code). */
export function pgCode(e: unknown): string | undefined {
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, i = 0; cur && i < 5; cur = cur.cause as typeof cur, i++) {
    if (typeof cur.code === 'string' && /^[0-9A-Z]{5}$/.test(cur.code)) return cur.code;
  }
  return undefined;
}
export const FOREIGN_KEY_VIOLATION = '23503';

/** The violated constraint's name of a driver error (postgres.js: constraint_name; PGlite: constraint). */
export function violatedConstraint(e: unknown): string | undefined {
  for (let cur = e as Record<string, unknown> | undefined, i = 0; cur && typeof cur === 'object' && i < 5; cur = cur.cause as typeof cur, i++) {
    const name = cur.constraint_name ?? cur.constraint;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/**
 * Runs `work`; a foreign-key violation (a row it points to was deleted meanwhile) becomes the
 * AppError mapped to the violated constraint, so a race answers "not found", not INTERNAL.
 */
export async function onMissingReference<T>(work: () => Promise<T>, byConstraint: Record<string, () => Error>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const make = pgCode(e) === FOREIGN_KEY_VIOLATION ? byConstraint[violatedConstraint(e) ?? ''] : undefined;
    if (make) throw make();
    throw e;
  }
}
