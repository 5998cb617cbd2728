/**
 * Accounts and sessions: login with the md5 hex the client sends, stored as a salted scrypt hash;
 * random session tokens stored only as sha256; idle expiry; per-username lockout after repeated
 * failures; password change and deletion end the user's sessions, on every API instance at once (the
 * bus tells the others; see the session cache below).
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Logger } from '../../core/log.ts';
import { AppError } from '../../core/errors.ts';
import { Channels } from '../../core/bus/channels.ts';
import type { Bus, Subscription } from '../../core/bus/types.ts';
import type { AccountsRepo } from '../../db/repositories/accounts.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32 };

export async function hashPassword(md5hex: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(md5hex, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(md5hex: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(md5hex, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(expected, got);
}

export const md5hex = (plain: string) => createHash('md5').update(plain).digest('hex');
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export type AccountsOptions = {
  idleMinutes: number; maxFailures: number; lockSeconds: number;
  /** ms a looked-up session is trusted without asking the database again (default 2000; 0: never) */
  sessionCacheMs?: number;
};

/** Bound on cached sessions; the oldest goes first (each entry is ~200 bytes). */
const SESSION_CACHE_MAX = 10_000;

export function createAccountsService(repo: AccountsRepo, opts: AccountsOptions, log: Logger, bus?: Pick<Bus, 'emit' | 'subscribe'>) {
  // Hashing a throwaway password for unknown usernames keeps their answer time like a real one's.
  const dummyHash = hashPassword('0'.repeat(32));

  /*
   * Sessions seen in the last `sessionCacheMs`: token hash → user and the last_seen the database
   * had. Saves one query per request. This process drops an entry at once when it ends the session
   * (expiry, password change, user deletion). When another instance sharing the database ends a
   * user's sessions it says so on the bus (`listen()`), and this one drops them as the message comes;
   * `sessionCacheMs` bounds the wait when that message is lost (NATS down, a frozen function instance).
   */
  const cacheMs = opts.sessionCacheMs ?? 2_000;
  const cache = new Map<string, { userId: number; lastSeen: number; until: number }>();
  let forgets = 0; // a lookup racing a forgetUser() must not cache what it read before it
  const forgetUser = (userId: number) => { forgets++; for (const [h, e] of cache) if (e.userId === userId) cache.delete(h); };
  const sessionsEnded = (userId: number) => {
    forgetUser(userId);
    if (bus) Channels.sessionsEnded.emit(bus, { user_id: userId });
  };
  let sub: Subscription | undefined;

  async function newSession(userId: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await repo.insertSession(tokenHash(token), userId);
    return token;
  }

  /** Drops from the cache the sessions other instances end (every instance listens: no queue group). */
  function listen(): void {
    if (bus) sub ??= Channels.sessionsEnded.listen(bus, (m) => forgetUser(m.user_id), { log });
  }

  return {
    listen,

    async stop(): Promise<void> {
      await sub?.stop();
      sub = undefined;
    },

    /** Creates `admin` when there is no account at all: ADMIN_PASSWORD, else a random one logged once. */
    async ensureAdmin(adminPassword: string | undefined): Promise<void> {
      if ((await repo.countUsers()) > 0) return;
      const plain = adminPassword ?? randomBytes(12).toString('base64url');
      const id = await repo.insertUser({ name: 'admin', passwordHash: await hashPassword(md5hex(plain)), remark: 'initial account' });
      if (id === undefined) return; // another process created it meanwhile
      if (adminPassword) log.info('created initial account admin (password from ADMIN_PASSWORD)');
      else log.warn({ username: 'admin', password: plain }, 'created initial account admin with a random password: change it');
    },

    async login(username: string, password: string): Promise<{ user_id: number; session: string }> {
      const user = await repo.findUserByName(username);
      if (!user) {
        await verifyPassword(password, await dummyHash);
        throw new AppError('LOGIN_FAILED');
      }
      if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) throw new AppError('LOGIN_LOCKED');
      if (!(await verifyPassword(password, user.passwordHash))) {
        await repo.recordLoginFailure(user.id, opts.maxFailures, opts.lockSeconds);
        throw new AppError('LOGIN_FAILED');
      }
      if (user.failedLogins || user.lockedUntil) await repo.resetLoginFailures(user.id);
      // sweep sessions that expired unseen, so the table does not grow forever
      await repo.deleteIdleSessions(new Date(Date.now() - opts.idleMinutes * 60_000));
      return { user_id: user.id, session: await newSession(user.id) };
    },

    /** The user id behind a session token, or SESSION_MISSING / SESSION_INVALID / SESSION_EXPIRED. */
    async authenticate(token: string | undefined): Promise<number> {
      if (!token) throw new AppError('SESSION_MISSING');
      if (token.length > 256) throw new AppError('SESSION_INVALID');
      const h = tokenHash(token);
      const idleMs = opts.idleMinutes * 60_000;
      const now = Date.now();
      const hit = cache.get(h);
      // an entry that looks idle goes back to the database: another instance may have seen it since
      if (hit && hit.until > now && now - hit.lastSeen <= idleMs) return hit.userId;
      cache.delete(h);
      const forgetsBefore = forgets;
      const s = await repo.findSession(h);
      if (!s) throw new AppError('SESSION_INVALID');
      let lastSeen = s.lastSeen.getTime();
      if (now - lastSeen > idleMs) {
        await repo.deleteSession(h);
        throw new AppError('SESSION_EXPIRED');
      }
      // Refresh at most every few seconds: one write per request would be wasted work.
      if (now - lastSeen > Math.min(5_000, idleMs / 10)) {
        await repo.touchSession(h);
        lastSeen = now;
      }
      if (cacheMs > 0 && forgets === forgetsBefore) {
        listen(); // a cache must hear of sessions other instances end (a lone function starts here)
        if (cache.size >= SESSION_CACHE_MAX) cache.delete(cache.keys().next().value!);
        cache.set(h, { userId: s.userId, lastSeen, until: now + cacheMs });
      }
      return s.userId;
    },

    async register(input: { name: string; password: string; remark?: string }): Promise<{ user_id: number }> {
      const id = await repo.insertUser({ name: input.name, passwordHash: await hashPassword(input.password), remark: input.remark ?? '' });
      if (id === undefined) throw new AppError('USER_EXISTS', `name: a user named ${input.name} already exists`);
      return { user_id: id };
    },

    async update(input: { user_id: number; name?: string; old_password?: string; password?: string; remark?: string }): Promise<void> {
      const user = await repo.findUser(input.user_id);
      if (!user) throw new AppError('USER_NOT_FOUND', `user_id: no user ${input.user_id}`);
      const patch: { name?: string; passwordHash?: string; remark?: string } = {};
      if (input.name !== undefined && input.name !== user.name) {
        const other = await repo.findUserByName(input.name);
        if (other) throw new AppError('USER_EXISTS', `name: a user named ${input.name} already exists`);
        patch.name = input.name;
      }
      if (input.remark !== undefined) patch.remark = input.remark;
      if (input.password !== undefined) {
        if (input.old_password === undefined) throw new AppError('OLD_PASSWORD_REQUIRED');
        if (!(await verifyPassword(input.old_password, user.passwordHash))) throw new AppError('OLD_PASSWORD_WRONG');
        patch.passwordHash = await hashPassword(input.password);
      }
      try {
        await repo.updateUser(user.id, patch);
      } catch (e) {
        if (patch.name && /users_name_key|unique/i.test(String((e as Error)?.message ?? ''))) throw new AppError('USER_EXISTS', `name: a user named ${patch.name} already exists`);
        throw e;
      }
      if (patch.passwordHash) {
        await repo.deleteUserSessions(user.id);
        sessionsEnded(user.id);
      }
    },

    async remove(userId: number): Promise<void> {
      if (!(await repo.findUser(userId))) throw new AppError('USER_NOT_FOUND', `user_id: no user ${userId}`);
      if (!(await repo.deleteUserUnlessLast(userId))) throw new AppError('LAST_USER');
      // sessions go with the user (ON DELETE CASCADE)
      sessionsEnded(userId);
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
