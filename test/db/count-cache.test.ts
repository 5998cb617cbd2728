import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/client.ts';
import { createCountCache } from '../../db/repositories/count-cache.ts';
import { createRepositories } from '../../db/repositories/index.ts';
import { captureRecords, libraries, persons, pictures } from '../../db/schema.ts';
import { EMBEDDING_DIM } from '../../core/constants.ts';

const unit = () => { const v = Array.from({ length: EMBEDDING_DIM }, () => Math.random() - 0.5); const n = Math.hypot(...v); return v.map((x) => x / n); };

describe('exact counts cached per table version', () => {
  let db: Database;
  beforeAll(async () => { db = await openDatabase({ kind: 'pglite', dataDir: null }); });
  afterAll(async () => { await db?.close(); });

  it('counts once while the table is unchanged, and again after any write, however it was made', async () => {
    const cached = createCountCache(db.orm);
    let counted = 0;
    const count = async () => { counted++; return 42; };
    expect(await cached.total('persons', { name: 'a' }, undefined, count)).toBe(42);
    expect(await cached.total('persons', { name: 'a' }, undefined, count)).toBe(42);
    expect(counted).toBe(1);
    expect(await cached.total('persons', { name: 'b' }, undefined, count)).toBe(42); // another filter is another entry
    expect(counted).toBe(2);
    const [lib] = await db.orm.insert(libraries).values({ name: 'l' }).returning();
    await db.orm.insert(pictures).values({ url: '/p', kind: 'person', contentType: 'image/jpeg', bytes: 1, width: 1, height: 1 }).onConflictDoNothing();
    // a write straight through SQL, not through any repository: the trigger still bumps the version
    await db.orm.insert(persons).values({ libId: lib.id, name: 'x', picUrl: '/p', embedding: unit() });
    await cached.total('persons', { name: 'a' }, undefined, count);
    expect(counted).toBe(3);
    // a write to another table leaves persons' counts alone
    await db.orm.insert(captureRecords).values({ taskId: 1, cameraId: 1, classify: 0, captureTime: new Date() });
    await cached.total('persons', { name: 'a' }, undefined, count);
    expect(counted).toBe(3);
  });

  it('keeps list totals exact across inserts, updates and deletes', async () => {
    const repos = createRepositories(db.orm);
    const page = { pageNo: 1, pageSize: 10 };
    const [lib] = await db.orm.insert(libraries).values({ name: 'm' }).returning();
    await db.orm.insert(pictures).values({ url: '/p', kind: 'person', contentType: 'image/jpeg', bytes: 1, width: 1, height: 1 }).onConflictDoNothing();
    const before = (await repos.persons.list({ libId: lib.id }, page)).total;
    expect(before).toBe(0);
    const [p] = await db.orm.insert(persons).values([1, 2, 3].map((i) => ({ libId: lib.id, name: `n${i}`, picUrl: '/p', embedding: unit() }))).returning();
    expect((await repos.persons.list({ libId: lib.id }, page)).total).toBe(3);
    expect((await repos.persons.list({ libId: lib.id, category: 1 }, page)).total).toBe(0);
    await repos.persons.update(lib.id, p.id, { category: 1 });
    expect((await repos.persons.list({ libId: lib.id, category: 1 }, page)).total).toBe(1);
    await repos.persons.delete(lib.id, p.id);
    expect((await repos.persons.list({ libId: lib.id }, page)).total).toBe(2);
    expect((await repos.persons.list({ libId: lib.id, category: 1 }, page)).total).toBe(0);
    const recordsBefore = (await repos.records.list({}, page)).total;
    await db.orm.insert(captureRecords).values({ taskId: 2, cameraId: 1, classify: 1, captureTime: new Date() });
    expect((await repos.records.list({}, page)).total).toBe(recordsBefore + 1);
  });
});
