/**
 * The PGlite server with many sessions (infra/services/pglite-sessions.mjs): two pools of several
 * connections, like two API hosts, share it. Their statements and transactions never interleave (a
 * transaction sees only its own uncommitted rows, a rolled-back one leaves nothing, a client that
 * vanishes inside a transaction does not hold the others), and restart() keeps the data.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteServer, type PgliteServer } from '../../infra/services/index.ts';

let pg: PgliteServer;
beforeAll(async () => { pg = await startPgliteServer({ sessions: 'many' }); });
afterAll(async () => { await pg?.stop(); });

const pool = () => postgres(pg.url, { max: 4, onnotice: () => {}, connect_timeout: 5 });

describe('PGlite server with many sessions', () => {
  it('serves two pools at once without mixing their statements or transactions', async () => {
    const a = pool();
    const b = pool();
    try {
      await a`create table t (owner text, n int)`;
      const work = (sql: postgres.Sql, owner: string) => Array.from({ length: 12 }, (_, i) => sql.begin(async (tx) => {
        await tx`insert into t values (${owner}, ${i})`;
        await new Promise((r) => setTimeout(r, 5)); // the others queue meanwhile
        const [{ mine }] = await tx`select count(*)::int as mine from t where owner = ${owner} and n = ${i}`;
        if (i % 3 === 0) throw Object.assign(new Error('rollback'), { rollback: true, mine });
        return mine;
      }).catch((e) => (e.rollback ? -e.mine : Promise.reject(e))));
      // plain prepared statements from both pools in between
      const reads = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b)`select ${i}::int as i`.then(([r]) => r.i));
      const [ra, rb, rr] = await Promise.all([Promise.all(work(a, 'a')), Promise.all(work(b, 'b')), Promise.all(reads)]);
      // each transaction saw exactly its own row; rolled back ones (-1) left nothing
      expect(ra).toEqual(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? -1 : 1)));
      expect(rb).toEqual(ra);
      expect(rr).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const [{ n }] = await b`select count(*)::int as n from t`;
      expect(n).toBe(16);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('a client that vanishes inside a transaction does not hold the others, and its work is rolled back', async () => {
    const a = postgres(pg.url, { max: 1, onnotice: () => {} });
    const b = pool();
    try {
      await a`create table u (n int)`;
      const reserved = await a.reserve();
      await reserved`begin`;
      await reserved`insert into u values (1)`;
      const other = b`insert into u values (2)`.then(() => 'done');
      await new Promise((r) => setTimeout(r, 200));
      await a.end({ timeout: 0 }); // gone without COMMIT
      expect(await other).toBe('done');
      expect((await b`select n from u`).map((r) => r.n)).toEqual([2]);
    } finally {
      await b.end();
    }
  });

  it('restart() brings it back on the same port with the same data', async () => {
    const a = pool();
    try {
      await a`create table v (n int)`;
      await a`insert into v values (7)`;
      await pg.restart({ downMs: 200 });
      // the pool reconnects by itself
      let rows: postgres.RowList<postgres.Row[]> | undefined;
      for (let i = 0; i < 50 && !rows; i++) rows = await a`select n from v`.catch(() => undefined);
      expect(rows?.map((r) => r.n)).toEqual([7]);
    } finally {
      await a.end();
    }
  });
});
