/** Persons and their face embeddings (pgvector). */
import { and, asc, cosineDistance, count, desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { libraries, persons } from '../schema.ts';
import { AppError } from '../../core/errors.ts';
import type { CountCache } from './count-cache.ts';
import { byShape, containsPattern, onMissingReference, type FilterSpecs, type Page } from './util.ts';

export type PersonRow = typeof persons.$inferSelect;
export type PersonFields = { name: string; pinyin: string; sex: number; cardNo: string; phone: string; category: number; picUrl: string; remark: string };

export type PersonFilter = { libId?: number; name?: string; cardNo?: string; category?: number; phone?: string };

const personFilters: FilterSpecs<PersonFilter> = {
  libId: { cond: (p) => eq(persons.libId, p) },
  name: { when: (v) => !!v, cond: (p) => or(ilike(persons.name, p), ilike(persons.pinyin, p)), value: containsPattern },
  cardNo: { when: (v) => !!v, cond: (p) => eq(persons.cardNo, p) },
  category: { cond: (p) => eq(persons.category, p) },
  phone: { when: (v) => !!v, cond: (p) => ilike(persons.phone, p), value: containsPattern },
};

/** the picture was deleted between the service's check and the write (persons' picture foreign key) */
const pictureGone = (url: string) => ({
  persons_pic_url_pictures_url_fk: () => new AppError('PICTURE_NOT_FOUND', `pic_url: no picture ${url}`),
});

export function createPersonsRepo(orm: Orm, counts: CountCache) {
  const listQueries = byShape(personFilters, (where, shape) => ({
    page: orm.select({
      libId: persons.libId, libName: libraries.name, id: persons.id, name: persons.name, pinyin: persons.pinyin, sex: persons.sex,
      cardNo: persons.cardNo, phone: persons.phone, category: persons.category, picUrl: persons.picUrl, remark: persons.remark,
      createTime: persons.createTime, version: counts.versionColumn('persons'),
    }).from(persons).innerJoin(libraries, eq(libraries.id, persons.libId)).where(where)
      .orderBy(desc(persons.createTime), desc(persons.id)).limit(sql.placeholder('limit')).offset(sql.placeholder('offset'))
      .prepare(`persons_page_${shape}`),
    count: orm.select({ n: count() }).from(persons).where(where).prepare(`persons_count_${shape}`),
  }));

  return {
    async insert(p: PersonFields & { libId: number; embedding: number[] }): Promise<number> {
      // the library may be deleted between the service's check and this insert
      const [row] = await onMissingReference(() => orm.insert(persons).values(p).returning({ id: persons.id }), {
        persons_lib_id_libraries_id_fk: () => new AppError('LIBRARY_NOT_FOUND', `lib_id: no library ${p.libId}`),
        ...pictureGone(p.picUrl),
      });
      return row.id;
    },
    async find(libId: number, personId: number) {
      const [row] = await orm.select({
        id: persons.id, libId: persons.libId, picUrl: persons.picUrl,
      }).from(persons).where(and(eq(persons.id, personId), eq(persons.libId, libId)));
      return row;
    },
    async update(libId: number, personId: number, patch: Partial<PersonFields> & { embedding?: number[] }): Promise<boolean> {
      if (!Object.keys(patch).length) return true;
      const rows = await onMissingReference(
        () => orm.update(persons).set(patch).where(and(eq(persons.id, personId), eq(persons.libId, libId))).returning({ id: persons.id }),
        pictureGone(patch.picUrl ?? ''),
      );
      return rows.length > 0;
    },
    /** the deleted person's picture, or undefined when there was no such person in that library */
    async delete(libId: number, personId: number): Promise<string | undefined> {
      const [row] = await orm.delete(persons).where(and(eq(persons.id, personId), eq(persons.libId, libId))).returning({ url: persons.picUrl });
      return row?.url;
    },
    /**
     * The persons of `libIds` nearest to `embedding` by cosine, best first, with their cosine
     * similarity (1 - distance). The one nearest-face query of the system.
     *
     * Filtered nearest neighbour: the HNSW index alone visits `hnsw.ef_search` (40) candidates and
     * filters them afterwards, so when the task's libraries are a small part of all persons it can
     * return nothing at all. pgvector 0.8's iterative scan (`strict_order`) keeps walking the graph
     * until `limit` rows pass the filter, in exact distance order; the planner still picks an exact
     * scan of the library's rows (persons_lib_idx) when that is cheaper (small libraries). Not a
     * prepared statement (unlike the matcher's other ones, records.recordFace): a prepared one may
     * come to run a generic plan, chosen without the libraries' sizes, and an approximate HNSW scan
     * where the exact one was meant.
     */
    async nearest(embedding: Float32Array | number[], libIds: number[], limit = 1) {
      if (!libIds.length) return [];
      const distance = cosineDistance(persons.embedding, Array.from(embedding));
      return orm.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL hnsw.iterative_scan = strict_order`);
        return tx.select({
          id: persons.id, libId: persons.libId, libName: libraries.name, name: persons.name, sex: persons.sex, cardNo: persons.cardNo,
          category: persons.category, picUrl: persons.picUrl, cosine: sql<number>`1 - (${distance})`.mapWith(Number),
        }).from(persons).innerJoin(libraries, eq(libraries.id, persons.libId))
          .where(inArray(persons.libId, libIds)).orderBy(asc(distance)).limit(limit);
      });
    },
    async list(f: PersonFilter, page: Page) {
      const { q, values } = listQueries(f);
      return counts.page('persons', f, q, values, page);
    },
  };
}
export type PersonsRepo = ReturnType<typeof createPersonsRepo>;
