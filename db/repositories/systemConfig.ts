/** Named system configuration (JSON strings), e.g. StorageServer. */
import { eq, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { systemConfig } from '../schema.ts';

export function createSystemConfigRepo(orm: Orm) {
  // prepared: the webhook dispatcher reads its config every round (each second)
  const getQuery = orm.select().from(systemConfig).where(eq(systemConfig.name, sql.placeholder('name'))).prepare('system_config_get');
  return {
    async get(name: string) {
      const [row] = await getQuery.execute({ name });
      return row;
    },
    async put(name: string, config: string, remark: string | undefined): Promise<void> {
      await orm.insert(systemConfig).values({ name, config, remark: remark ?? '' }).onConflictDoUpdate({
        target: systemConfig.name,
        set: { config, updateTime: sql`now()`, ...(remark !== undefined ? { remark } : {}) },
      });
    },
  };
}
export type SystemConfigRepo = ReturnType<typeof createSystemConfigRepo>;
