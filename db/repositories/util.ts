/** Small query helpers shared by the repositories. */
import { and, ilike, sql, type AnyColumn, type Placeholder, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';

/** A transaction of the drizzle instance, for statements several repositories add to one transaction. */
export type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0];

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
export const UNIQUE_VIOLATION = '23505';

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

/** The LIKE pattern of `contains`: user text anywhere, `%` and `_` taken literally. */
export const containsPattern = (s: string) => `%${escapeLike(s)}%`;

/**
 * One list filter: its condition over a placeholder, when it applies (default: the value is
 * defined), and the value bound to it (default: as given).
 */
export type FilterSpec<V> = { cond: (p: Placeholder) => SQL | undefined; when?: (v: V) => boolean; value?: (v: NonNullable<V>) => unknown };
export type FilterSpecs<F> = { [K in keyof F]-?: FilterSpec<F[K]> };

/**
 * Statements built once per combination of applied filters ("shape") and then only executed:
 * building a select's SQL text with drizzle costs more CPU than the rest of a list request's
 * database work on the API thread. `build` gets the WHERE over placeholders named like the
 * filters; the caller adds its own placeholders (limit, offset).
 */
export function byShape<F extends object, Q>(specs: FilterSpecs<F>, build: (where: SQL | undefined, shape: string) => Q) {
  const keys = Object.keys(specs) as Array<keyof F & string>;
  const built = new Map<string, Q>();
  return (f: F): { q: Q; values: Record<string, unknown> } => {
    const on = keys.filter((k) => {
      const v = f[k];
      const when = (specs[k] as FilterSpec<unknown>).when;
      return when ? when(v) : v !== undefined;
    });
    const shape = on.join('_') || 'all';
    let q = built.get(shape);
    if (!q) {
      q = build(and(...on.map((k) => specs[k].cond(sql.placeholder(k)))), shape);
      built.set(shape, q);
    }
    const values: Record<string, unknown> = {};
    for (const k of on) {
      const spec = specs[k] as FilterSpec<unknown>;
      values[k] = spec.value ? spec.value(f[k] as NonNullable<unknown>) : f[k];
    }
    return { q, values };
  };
}

/** The rows of a raw `execute` (postgres.js answers an array, PGlite `{rows}`). */
export const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? (r as T[]) : ((r as { rows?: T[] }).rows ?? []));
