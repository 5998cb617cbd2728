/** What the repository tests share. */
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../db/client.ts';
import { createRepositories, type Repositories } from '../../db/repositories/index.ts';

/** An in-memory embedded database with every repository, opened before the file's tests and closed after them. */
export function memoryDatabase(): { db: Database; repos: Repositories } {
  const h = {} as { db: Database; repos: Repositories };
  beforeAll(async () => {
    h.db = await openDatabase({ kind: 'pglite', dataDir: null });
    h.repos = createRepositories(h.db.orm);
  });
  afterAll(async () => { await h.db?.close(); });
  return h;
}
