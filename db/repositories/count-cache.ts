/**
 * Exact `total_count`s without counting on every page request: a count over 1M records takes
 * hundreds of ms, the page itself well under one. Each count is cached under its table's version
 * (table_versions, bumped by a statement trigger on every change, from any process), so a cached
 * count is used only while its table is unchanged: exact, not "recent".
 *
 * The version travels in the page query itself (`versionColumn`), so a page with a cached count
 * costs one statement, not two; an empty page asks for the version on its own.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { tableVersions } from '../schema.ts';
import { offsetOf, type Page } from './util.ts';

export type VersionedTable = 'persons' | 'capture_records' | 'alarms';

type Values = Record<string, unknown>;
/** A list's two prepared statements: the page (selecting `version` beside its fields, with limit/offset placeholders) and its count. */
export type ListStatements<R> = {
  page: { execute(values: Values): Promise<R[]> };
  count: { execute(values: Values): Promise<Array<{ n: number }>> };
};

export function createCountCache(orm: Orm, maxEntries = 512) {
  const entries = new Map<string, { version: number; n: number }>();

  /**
   * The count of `filter` on `table`: cached while the table's version is `version`, read BEFORE
   * counting (a change committed meanwhile bumps it, so the next call recounts); `undefined`:
   * not known yet (empty page), looked up here; null: table not versioned, always counted.
   */
  async function total(table: VersionedTable, filter: object, version: number | null | undefined, count: () => Promise<number>): Promise<number> {
    if (version === undefined) {
      const [row] = await orm.select({ v: tableVersions.version }).from(tableVersions).where(eq(tableVersions.name, table));
      version = row ? row.v : null;
    }
    if (version === null) return count(); // migration missing: always count
    const key = `${table}:${JSON.stringify(filter, Object.keys(filter).sort())}`;
    const hit = entries.get(key);
    if (hit && hit.version === version) return hit.n;
    const n = await count();
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { version, n });
    return n;
  }

  return {
    /** A column for the page query: the table's version (null when the table is not versioned). */
    versionColumn(table: VersionedTable): SQL<number | null> {
      return sql<number | null>`(select ${tableVersions.version} from ${tableVersions} where ${tableVersions.name} = ${table})`.mapWith((v) => (v === null ? null : Number(v)));
    },

    total,

    /** One page of `table`'s list for `filter` and its exact total, counted only when the table changed. */
    async page<R extends { version: number | null }>(table: VersionedTable, filter: object, q: ListStatements<R>, values: Values, page: Page): Promise<{ total: number; rows: R[] }> {
      const rows = await q.page.execute({ ...values, limit: page.pageSize, offset: offsetOf(page) });
      const n = await total(table, filter, rows.length ? rows[0].version : undefined, async () => Number((await q.count.execute(values))[0].n));
      return { total: n, rows };
    },
  };
}
export type CountCache = ReturnType<typeof createCountCache>;
