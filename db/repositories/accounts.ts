/** Users and their sessions. */
import { and, count, eq, lt, sql } from 'drizzle-orm';
import type { Orm } from '../client.ts';
import { sessions, users } from '../schema.ts';

export type UserRow = typeof users.$inferSelect;

export function createAccountsRepo(orm: Orm) {
  return {
    async countUsers(): Promise<number> {
      const [row] = await orm.select({ n: count() }).from(users);
      return Number(row.n);
    },
    async findUserByName(name: string): Promise<UserRow | undefined> {
      const [row] = await orm.select().from(users).where(eq(users.name, name));
      return row;
    },
    async findUser(id: number): Promise<UserRow | undefined> {
      const [row] = await orm.select().from(users).where(eq(users.id, id));
      return row;
    },
    /** undefined when the name is taken */
    async insertUser(u: { name: string; passwordHash: string; remark: string }): Promise<number | undefined> {
      const rows = await orm.insert(users).values(u).onConflictDoNothing({ target: users.name }).returning({ id: users.id });
      return rows[0]?.id;
    },
    async updateUser(id: number, patch: Partial<Pick<UserRow, 'name' | 'passwordHash' | 'remark'>>): Promise<void> {
      if (Object.keys(patch).length) await orm.update(users).set(patch).where(eq(users.id, id));
    },
    async deleteUser(id: number): Promise<void> {
      await orm.delete(users).where(eq(users.id, id));
    },
    async recordLoginFailure(id: number, maxFailures: number, lockSeconds: number): Promise<void> {
      // One statement, so concurrent failures cannot lose a count.
      await orm.update(users).set({
        failedLogins: sql`case when ${users.failedLogins} + 1 >= ${maxFailures} then 0 else ${users.failedLogins} + 1 end`,
        lockedUntil: sql`case when ${users.failedLogins} + 1 >= ${maxFailures} then now() + make_interval(secs => ${lockSeconds}) else ${users.lockedUntil} end`,
      }).where(eq(users.id, id));
    },
    async resetLoginFailures(id: number): Promise<void> {
      await orm.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, id));
    },

    async insertSession(tokenHash: string, userId: number): Promise<void> {
      await orm.insert(sessions).values({ tokenHash, userId });
    },
    async findSession(tokenHash: string) {
      const [row] = await orm.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
      return row;
    },
    async touchSession(tokenHash: string): Promise<void> {
      await orm.update(sessions).set({ lastSeen: sql`now()` }).where(eq(sessions.tokenHash, tokenHash));
    },
    async deleteSession(tokenHash: string): Promise<void> {
      await orm.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    },
    async deleteUserSessions(userId: number): Promise<void> {
      await orm.delete(sessions).where(eq(sessions.userId, userId));
    },
    async deleteIdleSessions(before: Date): Promise<void> {
      await orm.delete(sessions).where(lt(sessions.lastSeen, before));
    },
    /** deletes the user unless it is the last one; false when it was the last */
    async deleteUserUnlessLast(id: number): Promise<boolean> {
      return orm.transaction(async (tx) => {
        // Lock the table against a concurrent delete leaving zero accounts.
        await tx.execute(sql`lock table ${users} in share row exclusive mode`);
        const [row] = await tx.select({ n: count() }).from(users);
        if (Number(row.n) <= 1) return false;
        await tx.delete(users).where(and(eq(users.id, id)));
        return true;
      });
    },
  };
}
export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
