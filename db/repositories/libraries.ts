/** Person libraries. Deleting one removes its persons (and their embeddings) in the same transaction. */
import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { libraries, persons, taskLibraries } from '../schema.ts';
import { contains, offsetOf, type Page } from './util.ts';

export type LibraryRow = typeof libraries.$inferSelect;

export function createLibrariesRepo(orm: Orm) {
  return {
    async insert(l: { name: string; type: number; remark: string }): Promise<number> {
      const [row] = await orm.insert(libraries).values(l).returning({ id: libraries.id });
      return row.id;
    },
    async find(id: number): Promise<LibraryRow | undefined> {
      const [row] = await orm.select().from(libraries).where(eq(libraries.id, id));
      return row;
    },
    async existing(ids: number[]): Promise<number[]> {
      if (!ids.length) return [];
      const rows = await orm.select({ id: libraries.id }).from(libraries).where(inArray(libraries.id, ids));
      return rows.map((r) => r.id);
    },
    /**
     * Deletes the library and its persons unless a task uses it. Returns the pictures its persons
     * used (candidates for deletion), or 'in-use' / 'not-found'.
     */
    async deleteWithPersons(id: number): Promise<string[] | 'in-use' | 'not-found'> {
      return orm.transaction(async (tx) => {
        const [lib] = await tx.select({ id: libraries.id }).from(libraries).where(eq(libraries.id, id)).for('update');
        if (!lib) return 'not-found' as const;
        const [used] = await tx.select({ one: sql`1` }).from(taskLibraries).where(eq(taskLibraries.libId, id)).limit(1);
        if (used) return 'in-use' as const;
        const pics = await tx.delete(persons).where(eq(persons.libId, id)).returning({ url: persons.picUrl });
        await tx.delete(libraries).where(eq(libraries.id, id));
        return pics.map((p) => p.url);
      });
    },
    async list(f: { type?: number; name?: string }, page: Page) {
      const conds: SQL[] = [];
      if (f.type !== undefined) conds.push(eq(libraries.type, f.type));
      if (f.name) conds.push(contains(libraries.name, f.name));
      const where = and(...conds);
      const [{ n }] = await orm.select({ n: count() }).from(libraries).where(where);
      const rows = await orm.select({
        id: libraries.id, name: libraries.name, type: libraries.type, remark: libraries.remark, createTime: libraries.createTime,
        // qualified by hand: drizzle leaves columns of a one-table select unqualified, and "id" would bind to persons.id
        personCount: sql<number>`(select count(*) from ${persons} p where p.lib_id = "libraries"."id")`.mapWith(Number),
      }).from(libraries).where(where).orderBy(desc(libraries.createTime), desc(libraries.id)).limit(page.pageSize).offset(offsetOf(page));
      return { total: Number(n), rows };
    },
  };
}
export type LibrariesRepo = ReturnType<typeof createLibrariesRepo>;
