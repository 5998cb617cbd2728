/** The `pictures` table: one row per object the API put in the store. */
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { captureRecords, persons, pictures } from '../schema.ts';

export type PictureRow = typeof pictures.$inferSelect;

export function createPicturesRepo(orm: Orm) {
  return {
    async insert(p: Omit<typeof pictures.$inferInsert, 'createTime'>): Promise<void> {
      await orm.insert(pictures).values(p);
    },
    async find(url: string): Promise<PictureRow | undefined> {
      const [row] = await orm.select().from(pictures).where(eq(pictures.url, url));
      return row;
    },
    async isUsedByPerson(url: string): Promise<boolean> {
      const [row] = await orm.select({ one: sql`1` }).from(persons).where(eq(persons.picUrl, url)).limit(1);
      return !!row;
    },
    /** deletes the row unless a person uses the picture (one statement: no race with AddPerson's check) */
    async deleteUnlessUsed(url: string): Promise<boolean> {
      const rows = await orm.delete(pictures)
        .where(and(eq(pictures.url, url), notExists(orm.select({ one: sql`1` }).from(persons).where(eq(persons.picUrl, url)))))
        .returning({ url: pictures.url });
      return rows.length > 0;
    },
    async delete(url: string): Promise<void> {
      await orm.delete(pictures).where(eq(pictures.url, url));
    },
    /**
     * Of `urls`, the person pictures nobody uses any more (no person, no capture record showing it as
     * the matched photo): their rows are deleted and their urls returned, for the store to delete.
     */
    async deleteOrphans(urls: string[]): Promise<string[]> {
      if (urls.length === 0) return [];
      const rows = await orm.delete(pictures).where(and(
        inArray(pictures.url, [...new Set(urls)]),
        eq(pictures.kind, 'person'),
        // the outer column qualified by hand (drizzle leaves one-table columns unqualified)
        notExists(orm.select({ one: sql`1` }).from(persons).where(sql`${persons.picUrl} = "pictures"."url"`)),
        notExists(orm.select({ one: sql`1` }).from(captureRecords).where(sql`${captureRecords.picUrl} = "pictures"."url"`)),
      )).returning({ url: pictures.url });
      return rows.map((r) => r.url);
    },
  };
}
export type PicturesRepo = ReturnType<typeof createPicturesRepo>;
