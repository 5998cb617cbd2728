/**
 * Exact `total_count`s without counting on every page request: a count over 1M records takes
 * hundreds of ms, the page itself well under one. Each count is cached under its table's version
 * (table_versions, bumped by a statement trigger on every change, from any process), so a cached
 * count is used only while its table is unchanged: exact, not "recent".
 */
import { eq } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { tableVersions } from '../schema.ts';

export type VersionedTable = 'persons' | 'capture_records';

export function createCountCache(orm: Orm, maxEntries = 512) {
  const entries = new Map<string, { version: number; n: number }>();

  return async function cachedCount(table: VersionedTable, filter: object, count: () => Promise<number>): Promise<number> {
    const [row] = await orm.select({ v: tableVersions.version }).from(tableVersions).where(eq(tableVersions.name, table));
    if (!row) return count(); // table not versioned (migration missing): always count
    const key = `${table}:${JSON.stringify(filter, Object.keys(filter).sort())}`;
    const hit = entries.get(key);
    if (hit && hit.version === row.v) return hit.n;
    // Read the version before counting: a change committed meanwhile bumps it, so the next call recounts.
    const n = await count();
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { version: row.v, n });
    return n;
  };
}
export type CountCache = ReturnType<typeof createCountCache>;
