/** The `pictures` table: one row per object the API put in the store. */
import { and, eq, inArray, notExists, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { FOREIGN_KEY_VIOLATION, pgCode } from './util.ts';
import { alarms, captureRecords, persons, pictures } from '../schema.ts';

export type PictureRow = typeof pictures.$inferSelect;

export function createPicturesRepo(orm: Orm) {
  return {
    async insert(p: Omit<typeof pictures.$inferInsert, 'createTime'>): Promise<void> {
      await orm.insert(pictures).values(p);
    },
    /** bytes of the uploads an account still keeps (its upload quota) */
    async bytesOwnedBy(ownerId: number): Promise<number> {
      const [row] = await orm.select({ n: sql<string>`coalesce(sum(${pictures.bytes}), 0)` }).from(pictures).where(eq(pictures.ownerId, ownerId));
      return Number(row.n);
    },
    async find(url: string): Promise<PictureRow | undefined> {
      const [row] = await orm.select().from(pictures).where(eq(pictures.url, url));
      return row;
    },
    /**
     * Deletes the row unless the picture is in use: a person uses it, or a capture record shows it
     * (as the matched person's photo after that person was deleted, or as its capture image). A
     * person inserted after this statement's snapshot but before its delete is caught by the
     * persons' foreign key: then it is in use too.
     */
    async deleteUnlessUsed(url: string): Promise<boolean> {
      try {
        const rows = await orm.delete(pictures).where(and(eq(pictures.url, url), unused())).returning({ url: pictures.url });
        return rows.length > 0;
      } catch (e) {
        if (pgCode(e) === FOREIGN_KEY_VIOLATION) return false;
        throw e;
      }
    },
    async delete(url: string): Promise<void> {
      await orm.delete(pictures).where(eq(pictures.url, url));
    },
    /**
     * Of `urls`, the pictures nobody uses any more — no person, no capture record showing it as the
     * matched photo or as its capture image: their rows are deleted and their urls returned, for the
     * store to delete. Either kind: a capture image a person was enrolled from outlives its record
     * only as long as something uses it.
     */
    async deleteOrphans(urls: string[]): Promise<string[]> {
      if (urls.length === 0) return [];
      // a person enrolled from one of them after the statement's snapshot trips the persons' foreign
      // key; the next attempt's snapshot sees that person and keeps the picture
      for (let attempt = 1; ; attempt++) {
        try {
          const rows = await orm.delete(pictures).where(and(inArray(pictures.url, [...new Set(urls)]), unused())).returning({ url: pictures.url });
          return rows.map((r) => r.url);
        } catch (e) {
          if (pgCode(e) !== FOREIGN_KEY_VIOLATION || attempt === 3) throw e;
        }
      }
    },
  };

  /**
   * For a delete from `pictures`: nobody uses the row's picture, neither a person nor a capture record
   * nor an alarm (as its matched photo or its capture image: an alarm keeps showing its pictures after
   * its record is deleted). The outer column is qualified by hand (drizzle leaves one-table columns
   * unqualified); the `<> ''` lets the planner use the partial indexes on pic_url and capture_url.
   */
  function unused(): SQL {
    const url = sql`"pictures"."url"`;
    const shown = (table: typeof captureRecords | typeof alarms, column: AnyColumn) =>
      notExists(orm.select({ one: sql`1` }).from(table).where(sql`${column} = ${url} and ${column} <> ''`));
    return and(
      notExists(orm.select({ one: sql`1` }).from(persons).where(sql`${persons.picUrl} = ${url}`)),
      shown(captureRecords, captureRecords.picUrl),
      shown(captureRecords, captureRecords.captureUrl),
      shown(alarms, alarms.picUrl),
      shown(alarms, alarms.captureUrl),
    )!;
  }
}
export type PicturesRepo = ReturnType<typeof createPicturesRepo>;
