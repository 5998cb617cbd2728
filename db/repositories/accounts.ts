/** Users, their sessions and the login failure counts. */
import { and, count, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { UserRole } from '../../core/roles.ts';
import type { Orm } from '../client.ts';
import { loginFailures, sessions, users } from '../schema.ts';
import { offsetOf, pgCode, UNIQUE_VIOLATION, type Page } from './util.ts';

export type UserRow = typeof users.$inferSelect;
export type NewUser = { name: string; nameKey: string; passwordHash: string; remark: string; role: UserRole };

/** Failed logins older than this (and not locked) are forgotten, and so is the back-off level. */
const FAILURE_MEMORY = sql`interval '24 hours'`;

export function createAccountsRepo(orm: Orm) {
  /** Runs `work` with the users table locked against concurrent deletes and role changes. */
  const lockedUsers = <T>(work: (tx: Orm) => Promise<T>) => orm.transaction(async (tx) => {
    await tx.execute(sql`lock table ${users} in share row exclusive mode`);
    return work(tx as unknown as Orm);
  });
  const admins = async (tx: Orm) => Number((await tx.select({ n: count() }).from(users).where(eq(users.role, 'admin')))[0].n);

  return {
    async countUsers(): Promise<number> {
      const [row] = await orm.select({ n: count() }).from(users);
      return Number(row.n);
    },
    async findUserByKey(nameKey: string): Promise<UserRow | undefined> {
      const [row] = await orm.select().from(users).where(eq(users.nameKey, nameKey));
      return row;
    },
    async findUser(id: number): Promise<UserRow | undefined> {
      const [row] = await orm.select().from(users).where(eq(users.id, id));
      return row;
    },
    /** undefined when the name (or its key) is taken */
    async insertUser(u: NewUser): Promise<number | undefined> {
      const rows = await orm.insert(users).values(u).onConflictDoNothing().returning({ id: users.id });
      return rows[0]?.id;
    },
    /** false when the new name (or its key) is taken */
    async updateUser(id: number, patch: Partial<Pick<UserRow, 'name' | 'nameKey' | 'passwordHash' | 'remark'>>): Promise<boolean> {
      if (!Object.keys(patch).length) return true;
      try {
        await orm.update(users).set(patch).where(eq(users.id, id));
        return true;
      } catch (e) {
        if (pgCode(e) === UNIQUE_VIOLATION) return false;
        throw e;
      }
    },
    async listUsers(name: string | undefined, p: Page): Promise<{ total: number; rows: UserRow[] }> {
      const where = name ? sql`strpos(lower(${users.name}), lower(${name})) > 0` : undefined;
      const [rows, [{ n }]] = await Promise.all([
        orm.select().from(users).where(where).orderBy(desc(users.createTime), desc(users.id)).limit(p.pageSize).offset(offsetOf(p)),
        orm.select({ n: count() }).from(users).where(where),
      ]);
      return { total: Number(n), rows };
    },
    /** Rows created before name keys existed get theirs (computed by the caller). */
    async usersWithoutKey(): Promise<Pick<UserRow, 'id' | 'name'>[]> {
      return orm.select({ id: users.id, name: users.name }).from(users).where(isNull(users.nameKey));
    },
    async setNameKey(id: number, nameKey: string): Promise<boolean> {
      return this.updateUser(id, { nameKey });
    },
    /** 'last-admin' when it would leave no admin */
    async setRole(id: number, role: UserRole): Promise<'ok' | 'last-admin'> {
      return lockedUsers(async (tx) => {
        const [u] = await tx.select({ role: users.role }).from(users).where(eq(users.id, id));
        if (u?.role === 'admin' && role !== 'admin' && (await admins(tx)) <= 1) return 'last-admin';
        await tx.update(users).set({ role }).where(eq(users.id, id));
        return 'ok';
      });
    },
    /** deletes the user unless it is the last account or the last admin */
    async deleteUserUnlessLast(id: number): Promise<'ok' | 'last-user' | 'last-admin'> {
      return lockedUsers(async (tx) => {
        const [{ n }] = await tx.select({ n: count() }).from(users);
        if (Number(n) <= 1) return 'last-user';
        const [u] = await tx.select({ role: users.role }).from(users).where(eq(users.id, id));
        if (u?.role === 'admin' && (await admins(tx)) <= 1) return 'last-admin';
        await tx.delete(users).where(eq(users.id, id));
        return 'ok';
      });
    },

    /**
     * Takes a guess's slot before its password is checked, in one statement, so concurrent guesses
     * are counted however they interleave. `locked`: the pair is locked now; `full`: the slots of
     * this window are all taken (by guesses still in flight, too).
     */
    async reserveLoginAttempt(nameKey: string, address: string, maxFailures: number): Promise<{ locked: boolean; full: boolean }> {
      const [row] = await orm.insert(loginFailures).values({ nameKey, address, attempts: 1 }).onConflictDoUpdate({
        target: [loginFailures.nameKey, loginFailures.address],
        set: {
          attempts: sql`case
            when ${loginFailures.lockedUntil} > now() then ${loginFailures.attempts}
            when ${loginFailures.updated} < now() - ${FAILURE_MEMORY} then 1
            when ${loginFailures.attempts} > ${maxFailures} then ${loginFailures.attempts}
            else ${loginFailures.attempts} + 1 end`,
          locks: sql`case
            when ${loginFailures.updated} < now() - ${FAILURE_MEMORY} and coalesce(${loginFailures.lockedUntil} <= now(), true) then 0
            else ${loginFailures.locks} end`,
          updated: sql`now()`,
        },
      }).returning({ attempts: loginFailures.attempts, locked: sql<boolean>`coalesce(${loginFailures.lockedUntil} > now(), false)` });
      return { locked: row.locked, full: Number(row.attempts) > maxFailures };
    },
    /** A failed guess: once the window's slots are used up, lock for base x 2^locks seconds (at most maxSeconds). */
    async recordLoginFailure(nameKey: string, address: string, o: { maxFailures: number; lockSeconds: number; maxLockSeconds: number }): Promise<void> {
      await orm.update(loginFailures).set({
        attempts: 0,
        locks: sql`${loginFailures.locks} + 1`,
        lockedUntil: sql`now() + make_interval(secs => least(${o.maxLockSeconds}::float8, ${o.lockSeconds}::float8 * power(2, least(${loginFailures.locks}, 30))))`,
        updated: sql`now()`,
      }).where(and(
        eq(loginFailures.nameKey, nameKey), eq(loginFailures.address, address),
        sql`${loginFailures.attempts} >= ${o.maxFailures}`,
        sql`coalesce(${loginFailures.lockedUntil} <= now(), true)`,
      ));
    },
    /** a success from this address, or an admin's reset (every address) */
    async clearLoginFailures(nameKey: string, address?: string): Promise<void> {
      await orm.delete(loginFailures).where(address === undefined ? eq(loginFailures.nameKey, nameKey) : and(eq(loginFailures.nameKey, nameKey), eq(loginFailures.address, address)));
    },
    /** forgets counts nobody added to for a day (and no longer locked): the table stays small */
    async sweepLoginFailures(): Promise<void> {
      await orm.delete(loginFailures).where(and(lt(loginFailures.updated, sql`now() - ${FAILURE_MEMORY}`), sql`coalesce(${loginFailures.lockedUntil} < now(), true)`));
    },

    async insertSession(tokenHash: string, userId: number): Promise<void> {
      await orm.insert(sessions).values({ tokenHash, userId });
    },
    /** the session with its user's role */
    async findSession(tokenHash: string): Promise<{ userId: number; role: UserRole; lastSeen: Date } | undefined> {
      const [row] = await orm.select({ userId: sessions.userId, role: users.role, lastSeen: sessions.lastSeen })
        .from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.tokenHash, tokenHash));
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
  };
}
export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
