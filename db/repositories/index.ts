/** Every repository over one drizzle instance. Repositories are the only code that imports drizzle. */
import type { Orm } from '../client.ts';
import { createAccountsRepo } from './accounts.ts';

export function createRepositories(orm: Orm) {
  return {
    accounts: createAccountsRepo(orm),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
