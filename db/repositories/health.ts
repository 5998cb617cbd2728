/** Whether the database answers (GET /readyz). */
import { sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';

export function createHealthRepo(orm: Orm) {
  return {
    async ping(): Promise<void> {
      await orm.execute(sql`select 1`);
    },
  };
}
