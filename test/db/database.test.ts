/**
 * openDatabase on every driver: embedded PGlite in a data dir (on its worker thread, the default,
 * and on the calling thread), and postgres.js over the wire to a PGlite server in a child process
 * (a real Postgres wire-protocol engine; one connection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { openDatabase, type Database, type DatabaseConfig } from '../../db/client.ts';
import { libraries, persons, pictures } from '../../db/schema.ts';
import { EMBEDDING_DIM } from '../../core/constants.ts';
import { startPgliteServer, type PgliteServer } from '../../infra/services/index.ts';

let tmp: string;
beforeAll(async () => { tmp = await mkdtemp(join(tmpdir(), 'facewatch-db-test-')); });
afterAll(async () => { if (tmp) await rm(tmp, { recursive: true, force: true }); });

/** Seeded pseudo-random unit vectors, so a failure reproduces. */
function unitVectors(n: number, seed: number): number[][] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: EMBEDDING_DIM }, rnd);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}
const cosine = (a: number[], b: number[]) => a.reduce((acc, x, i) => acc + x * b[i], 0);
const rows = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));

/** One driver: how to get a database, and how to "restart" it on the same data. */
interface Driver {
  name: string;
  open(): Promise<Database>;
  restart(): Promise<void>;
  done(): Promise<void>;
}

function pgliteDriver(thread: 'worker' | 'main'): Driver {
  let dir = '';
  return {
    name: `pglite (embedded, data dir, ${thread} thread)`,
    open: async () => openDatabase({ kind: 'pglite', dataDir: (dir ||= join(tmp, `pglite-data-${thread}`)), thread }),
    restart: async () => {},
    done: async () => {},
  };
}

function serverDriver(): Driver {
  let server: PgliteServer | undefined;
  let dataDir = '';
  const config = (): DatabaseConfig => ({ kind: 'postgres', url: server!.url, maxConnections: 1 });
  return {
    name: 'postgres (postgres.js over the wire to a PGlite server)',
    open: async () => {
      if (!server) server = await startPgliteServer({ dataDir: (dataDir ||= join(tmp, 'server-data')) });
      return openDatabase(config());
    },
    // stop the server process and start a new one on the same files
    restart: async () => { await server?.stop(); server = undefined; },
    done: async () => { await server?.stop(); },
  };
}

describe.each([pgliteDriver('worker'), pgliteDriver('main'), serverDriver()])('$name', (driver) => {
  let db: Database;
  beforeAll(async () => { db = await driver.open(); });
  afterAll(async () => { await db?.close(); await driver.done(); });

  it('applies the migrations: tables, the vector extension and the HNSW index', async () => {
    const tables = rows<{ table_name: string }>(await db.orm.execute(sql`select table_name from information_schema.tables where table_schema = 'public'`));
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'sessions', 'pictures', 'libraries', 'persons', 'cameras', 'tasks', 'capture_records', 'system_config']));
    const ext = rows<{ extname: string }>(await db.orm.execute(sql`select extname from pg_extension where extname = 'vector'`));
    expect(ext).toHaveLength(1);
    const idx = rows<{ indexdef: string }>(await db.orm.execute(sql`select indexdef from pg_indexes where indexname = 'persons_embedding_hnsw'`));
    expect(idx[0]?.indexdef).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
  });

  it('keeps answering after failed statements, in and out of a transaction, sent all at once', async () => {
    const bad = () => db.orm.execute(sql`select * from no_such_table`);
    const good = async () => rows<{ n: number }>(await db.orm.execute(sql`select 1 + 1 as n`))[0].n;
    // several statements in flight together: the failing one must not take the others down
    const results = await Promise.allSettled([good(), bad(), good(), bad(), good()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    await expect(db.orm.transaction(async (tx) => {
      await tx.insert(libraries).values({ name: 'rolled back' });
      await tx.execute(sql`select * from no_such_table`);
    })).rejects.toThrow();
    expect(await db.orm.select().from(libraries).where(eq(libraries.name, 'rolled back'))).toEqual([]);
    expect(Number(await good())).toBe(2);
  });

  it('stores a 512-d embedding and reads it back', async () => {
    const [lib] = await db.orm.insert(libraries).values({ name: 'round trip' }).returning();
    const [v] = unitVectors(1, 7);
    await addPictures(db, ['/pictures/a.jpg']);
    const [p] = await db.orm.insert(persons).values({ libId: lib.id, name: '张三', pinyin: 'zhang san', picUrl: '/pictures/a.jpg', embedding: v }).returning();
    const [back] = await db.orm.select().from(persons).where(eq(persons.id, p.id));
    expect(back.embedding).toHaveLength(EMBEDDING_DIM);
    back.embedding.forEach((x, i) => expect(x).toBeCloseTo(v[i], 6)); // float4 in the column
    expect(back.name).toBe('张三');
  });

  it('finds the cosine nearest neighbours through the HNSW index', async () => {
    const [lib] = await db.orm.insert(libraries).values({ name: 'nn' }).returning();
    const vectors = unitVectors(300, 42);
    await addPictures(db, vectors.map((_, i) => `/pictures/${i}.jpg`));
    const inserted = await db.orm.insert(persons)
      .values(vectors.map((embedding, i) => ({ libId: lib.id, name: `p${i}`, picUrl: `/pictures/${i}.jpg`, embedding })))
      .returning({ id: persons.id });
    // the query: person 123's vector, slightly moved; the exact answer is computed over every row
    const q = vectors[123].map((x, i) => x + (i % 2 ? 0.01 : -0.01));
    const all = await db.orm.select({ id: persons.id, embedding: persons.embedding }).from(persons);
    const qNorm = Math.hypot(...q);
    const exact = all.map((p) => ({ id: p.id, sim: cosine(p.embedding, q) / qNorm })).sort((a, b) => b.sim - a.sim);
    const qv = JSON.stringify(q);
    await db.orm.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`); // small table: make the planner show the index
      const plan = rows<Record<string, string>>(await tx.execute(sql.raw(
        `explain select id from persons order by embedding <=> '${qv}'::vector limit 5`)));
      expect(plan.map((r) => Object.values(r)[0]).join('\n')).toContain('Index Scan using persons_embedding_hnsw');
      const near = rows<{ id: number; sim: number }>(await tx.execute(sql`
        select id, 1 - (embedding <=> ${qv}::vector) as sim from persons order by embedding <=> ${qv}::vector limit 5`));
      expect(Number(near[0].id)).toBe(inserted[123].id);
      expect(Number(near[0].sim)).toBeCloseTo(exact[0].sim, 4);
      // HNSW is approximate: ask for most of the exact top 5, not all of it
      const top5 = new Set(exact.slice(0, 5).map((e) => e.id));
      expect(near.filter((r) => top5.has(Number(r.id))).length).toBeGreaterThanOrEqual(4);
    });
  });

  it('keeps the data after closing and reopening (and, for the server, restarting it)', async () => {
    const [lib] = await db.orm.insert(libraries).values({ name: 'survivor', remark: 'kept' }).returning();
    await db.close();
    await driver.restart();
    db = await driver.open(); // migrations run again and must find nothing to do
    const [back] = await db.orm.select().from(libraries).where(eq(libraries.id, lib.id));
    expect(back).toMatchObject({ name: 'survivor', remark: 'kept' });
    const count = rows<{ n: number }>(await db.orm.execute(sql`select count(*)::int as n from persons where name = '张三'`));
    expect(Number(count[0].n)).toBe(1);
  });
});

/** picture rows for persons to point at (persons.pic_url references pictures.url) */
async function addPictures(db: Database, urls: string[]): Promise<void> {
  await db.orm.insert(pictures).values(urls.map((url) => ({ url, kind: 'person' as const, contentType: 'image/jpeg', bytes: 1, width: 1, height: 1 }))).onConflictDoNothing();
}

describe('embedded PGlite memory', () => {
  it('runs with a small shared_buffers (resident in the process) unless told otherwise', async () => {
    const small = await openDatabase({ kind: 'pglite', dataDir: null });
    const big = await openDatabase({ kind: 'pglite', dataDir: null, sharedBuffersMb: 64 });
    try {
      const show = async (db: Database) => rows<{ shared_buffers: string }>(await db.orm.execute(sql`show shared_buffers`))[0].shared_buffers;
      expect(await show(small)).toBe('16MB');
      expect(await show(big)).toBe('64MB');
    } finally {
      await small.close();
      await big.close();
    }
  });
});

describe('embedded PGlite maintenance', () => {
  it('has planner statistics after reopening (PGlite has no autovacuum; openDatabase analyzes)', async () => {
    const dataDir = join(tmp, 'stats');
    let db = await openDatabase({ kind: 'pglite', dataDir, maintenanceMinutes: 0 });
    await db.orm.execute(sql`insert into libraries (name) select 'lib ' || g from generate_series(1, 500) g`);
    await db.close();
    db = await openDatabase({ kind: 'pglite', dataDir, maintenanceMinutes: 0 });
    try {
      const [{ n }] = rows<{ n: number }>(await db.orm.execute(sql`select reltuples::int as n from pg_class where relname = 'libraries'`));
      expect(Number(n)).toBe(500);
    } finally {
      await db.close();
    }
  });
});
