/** Capture records, written by the recognition pipeline; the API queries and deletes them. */
import { count, desc, eq, getTableColumns, gte, ilike, inArray, lte, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { captureRecords, pictures } from '../schema.ts';
import type { CountCache } from './count-cache.ts';
import { byShape, containsPattern, type FilterSpecs, type Page } from './util.ts';

export type RecordRow = typeof captureRecords.$inferSelect;
export type RecordFilter = {
  taskId?: number; cameraId?: number; libId?: number; personName?: string; cardNo?: string; classify?: number;
  similarity?: number; start?: Date; end?: Date;
};

/** A listed record: every column but the ones no list shows (each column of each row is decoded). */
const { messageId: _m, quality: _q, box: _b, ...listColumns } = getTableColumns(captureRecords);

const recordFilters: FilterSpecs<RecordFilter> = {
  taskId: { cond: (p) => eq(captureRecords.taskId, p) },
  cameraId: { cond: (p) => eq(captureRecords.cameraId, p) },
  libId: { cond: (p) => eq(captureRecords.libId, p) },
  personName: { when: (v) => !!v, cond: (p) => ilike(captureRecords.personName, p), value: containsPattern },
  cardNo: { when: (v) => !!v, cond: (p) => eq(captureRecords.cardNo, p) },
  classify: { cond: (p) => eq(captureRecords.classify, p) },
  // real column: the parameter is typed real too, so 0.8 >= 0.8 holds
  similarity: { cond: (p) => gte(captureRecords.similarity, p) },
  // placeholders skip the column's own encoding: the instant as ISO text, read as timestamptz
  start: { when: (v) => !!v, cond: (p) => gte(captureRecords.captureTime, p), value: (d) => d.toISOString() },
  end: { when: (v) => !!v, cond: (p) => lte(captureRecords.captureTime, p), value: (d) => d.toISOString() },
};

export function createRecordsRepo(orm: Orm, counts: CountCache) {
  const listQueries = byShape(recordFilters, (where, shape) => ({
    page: orm.select({ ...listColumns, version: counts.versionColumn('capture_records') }).from(captureRecords).where(where)
      .orderBy(desc(captureRecords.captureTime), desc(captureRecords.id)).limit(sql.placeholder('limit')).offset(sql.placeholder('offset'))
      .prepare(`records_page_${shape}`),
    count: orm.select({ n: count() }).from(captureRecords).where(where).prepare(`records_count_${shape}`),
  }));

  return {
    async insert(r: typeof captureRecords.$inferInsert): Promise<number> {
      const [row] = await orm.insert(captureRecords).values(r).returning({ id: captureRecords.id });
      return row.id;
    },
    /**
     * The matcher's write: the record of one face message and its capture image's `pictures` row, in
     * one transaction. Idempotent on `messageId` (unique): a redelivered message writes nothing and
     * answers undefined.
     */
    async insertOnce(r: typeof captureRecords.$inferInsert & { messageId: string }, picture?: Omit<typeof pictures.$inferInsert, 'createTime' | 'kind'>): Promise<number | undefined> {
      return orm.transaction(async (tx) => {
        const [row] = await tx.insert(captureRecords).values(r).onConflictDoNothing({ target: captureRecords.messageId })
          .returning({ id: captureRecords.id });
        if (row && picture) await tx.insert(pictures).values({ ...picture, kind: 'capture' }).onConflictDoNothing();
        return row?.id;
      });
    },
    async countByMessageIds(ids: string[]): Promise<number> {
      if (!ids.length) return 0;
      const [{ n }] = await orm.select({ n: count() }).from(captureRecords).where(inArray(captureRecords.messageId, ids));
      return Number(n);
    },
    /** the deleted record's capture_url, or undefined when there was none */
    async delete(id: number): Promise<{ captureUrl: string; picUrl: string } | undefined> {
      const [row] = await orm.delete(captureRecords).where(eq(captureRecords.id, id)).returning({ captureUrl: captureRecords.captureUrl, picUrl: captureRecords.picUrl });
      return row;
    },
    async list(f: RecordFilter, page: Page) {
      const { q, values } = listQueries(f);
      return counts.page('capture_records', f, q, values, page);
    },
  };
}
export type RecordsRepo = ReturnType<typeof createRecordsRepo>;
