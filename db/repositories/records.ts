/** Capture records, written by the recognition pipeline; the API queries and deletes them. */
import { and, count, desc, eq, getTableColumns, gte, inArray, lte, type SQL } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { captureRecords, pictures } from '../schema.ts';
import type { CountCache } from './count-cache.ts';
import { contains, offsetOf, type Page } from './util.ts';

export type RecordRow = typeof captureRecords.$inferSelect;
export type RecordFilter = {
  taskId?: number; cameraId?: number; libId?: number; personName?: string; cardNo?: string; classify?: number;
  similarity?: number; start?: Date; end?: Date;
};

/** A listed record: every column but the ones no list shows (each column of each row is decoded). */
const { messageId: _m, quality: _q, box: _b, ...listColumns } = getTableColumns(captureRecords);

export function createRecordsRepo(orm: Orm, counts: CountCache) {
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
      const conds: SQL[] = [];
      if (f.taskId !== undefined) conds.push(eq(captureRecords.taskId, f.taskId));
      if (f.cameraId !== undefined) conds.push(eq(captureRecords.cameraId, f.cameraId));
      if (f.libId !== undefined) conds.push(eq(captureRecords.libId, f.libId));
      if (f.personName) conds.push(contains(captureRecords.personName, f.personName));
      if (f.cardNo) conds.push(eq(captureRecords.cardNo, f.cardNo));
      if (f.classify !== undefined) conds.push(eq(captureRecords.classify, f.classify));
      // real column: compare in real too, so 0.8 >= 0.8 holds
      if (f.similarity !== undefined) conds.push(gte(captureRecords.similarity, f.similarity));
      if (f.start) conds.push(gte(captureRecords.captureTime, f.start));
      if (f.end) conds.push(lte(captureRecords.captureTime, f.end));
      const where = and(...conds);
      const rows = await orm.select({ ...listColumns, version: counts.versionColumn('capture_records') })
        .from(captureRecords).where(where)
        .orderBy(desc(captureRecords.captureTime), desc(captureRecords.id)).limit(page.pageSize).offset(offsetOf(page));
      const total = await counts.total('capture_records', f, rows.length ? rows[0].version : undefined,
        async () => Number((await orm.select({ n: count() }).from(captureRecords).where(where))[0].n));
      return { total, rows };
    },
  };
}
export type RecordsRepo = ReturnType<typeof createRecordsRepo>;
