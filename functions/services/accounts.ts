/**
 * Accounts and sessions: login with the md5 hex the client sends, stored as a salted scrypt hash;
 * random session tokens stored only as sha256; idle expiry; roles (core/roles.ts); lockout per
 * (name, client address) with exponential back-off, counted before the hash runs (so a burst of
 * guesses cannot outrun it) and alike for unknown names; password change and deletion end the
 * user's sessions, on every API instance at once (the bus tells the others; see the session cache).
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Logger } from '../../core/log.ts';
import { AppError } from '../../core/errors.ts';
import { Channels } from '../../core/bus/channels.ts';
import type { Bus, Subscription } from '../../core/bus/types.ts';
import type { AccountsRepo, UserRow } from '../../db/repositories/accounts.ts';
import { accountNameFold, accountNameKey, accountNameProblem, normalizeAccountName } from '../../core/names.ts';
import { hasRole, type UserRole } from '../../core/roles.ts';
import { page, paged, timeOf, type PageInput } from './common.ts';

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
/** how long a login waits for the guesses in flight that hold its slots, and how often it looks */
const IN_FLIGHT_WAIT_MS = 3000;
const IN_FLIGHT_POLL_MS = 100;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export type AccountsOptions = {
  idleMinutes: number;
  /** failed guesses per (name, client address) before a lock */
  maxFailures: number;
  /** the first lock's length; each further lock in a row doubles it, up to maxLockSeconds */
  lockSeconds: number;
  maxLockSeconds?: number;
  timeZone?: string;
  /** ms a looked-up session is trusted without asking the database again (default 2000; 0: never) */
  sessionCacheMs?: number;
};

/** Who is calling: the session's user and the client's address (lockouts are counted per address). */
export type Caller = { userId: number; role: UserRole; address: string };
export type SessionUser = { userId: number; role: UserRole };

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
  const cache = new Map<string, { userId: number; role: UserRole; lastSeen: number; until: number }>();
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

  /** NFKC-normalised, refused when it hides characters; INVALID_FIELD naming `name` */
  function checkName(raw: string): string {
    const name = normalizeAccountName(raw);
    const problem = accountNameProblem(name);
    if (problem) throw new AppError('INVALID_FIELD', `name: ${problem}`);
    if (!name) throw new AppError('INVALID_FIELD', 'name: must not be empty');
    return name;
  }

  /** USER_EXISTS for the same name in another case or width, NAME_CONFUSABLE for a look-alike */
  async function nameTaken(name: string, nameKey: string): Promise<AppError> {
    const other = await repo.findUserByKey(nameKey);
    if (other && accountNameFold(other.name) !== accountNameFold(name)) {
      return new AppError('NAME_CONFUSABLE', `name: ${JSON.stringify(name)} looks like the existing account ${JSON.stringify(other.name)}`);
    }
    return new AppError('USER_EXISTS', `name: a user named ${other?.name ?? name} already exists`);
  }

  /**
   * A guess's slot, or LOGIN_LOCKED. Slots held by guesses still in flight are not failures yet:
   * a client that logs in with the right password from several workers at once waits for them
   * (bounded) instead of being told it failed; a burst of wrong ones still gets at most
   * `maxFailures` hashes, and its waiters see the lock the failures set.
   */
  async function takeGuessSlot(key: string, address: string): Promise<void> {
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    for (;;) {
      const { locked, full } = await repo.reserveLoginAttempt(key, address, opts.maxFailures);
      if (locked || (full && Date.now() >= deadline)) throw new AppError('LOGIN_LOCKED');
      if (!full) return;
      await delay(IN_FLIGHT_POLL_MS);
    }
  }

  /**
   * The password check of Login and of a password change: the guess takes its slot first (one
   * atomic statement), then the hash runs — for an unknown name too, against a throwaway hash, with
   * the same statements and the same answers, so neither time nor the lockout tells names apart.
   */
  async function checkPassword(key: string, address: string, password: string, wrong: 'LOGIN_FAILED' | 'OLD_PASSWORD_WRONG'): Promise<UserRow> {
    await takeGuessSlot(key, address);
    const user = await repo.findUserByKey(key);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok) {
      await repo.recordLoginFailure(key, address, { maxFailures: opts.maxFailures, lockSeconds: opts.lockSeconds, maxLockSeconds: opts.maxLockSeconds ?? 3600 });
      throw new AppError(wrong);
    }
    await repo.clearLoginFailures(key, address);
    return user;
  }

  return {
    listen,

    async stop(): Promise<void> {
      await sub?.stop();
      sub = undefined;
    },

    /**
     * At start: creates `admin` (role admin) when there is no account at all, with ADMIN_PASSWORD
     * or a random password logged once; gives older rows their name key.
     */
    async ensureAdmin(adminPassword: string | undefined): Promise<void> {
      for (const u of await repo.usersWithoutKey()) {
        // a legacy name whose key another account already has keeps a key of its own (and is logged)
        if (!(await repo.setNameKey(u.id, accountNameKey(u.name)))) {
          await repo.setNameKey(u.id, `${accountNameKey(u.name)}#${u.id}`);
          log.warn({ user_id: u.id }, 'account name looks like another account\'s: rename one of them');
        }
      }
      if ((await repo.countUsers()) > 0) return;
      const plain = adminPassword ?? randomBytes(12).toString('base64url');
      const id = await repo.insertUser({ name: 'admin', nameKey: accountNameKey('admin'), passwordHash: await hashPassword(md5hex(plain)), remark: 'initial account', role: 'admin' });
      if (id === undefined) return; // another process created it meanwhile
      if (adminPassword) log.info('created initial account admin (password from ADMIN_PASSWORD)');
      else log.warn({ username: 'admin', password: plain }, 'created initial account admin with a random password: change it');
    },

    async login(username: string, password: string, address: string): Promise<{ user_id: number; role: UserRole; session: string }> {
      const key = accountNameKey(username);
      const user = await checkPassword(key, address, password, 'LOGIN_FAILED');
      // sweep sessions that expired unseen and forgotten failure counts, so the tables do not grow forever
      await repo.deleteIdleSessions(new Date(Date.now() - opts.idleMinutes * 60_000));
      await repo.sweepLoginFailures();
      return { user_id: user.id, role: user.role, session: await newSession(user.id) };
    },

    /** The user behind a session token, or SESSION_MISSING / SESSION_INVALID / SESSION_EXPIRED. */
    async authenticate(token: string | undefined): Promise<SessionUser> {
      if (!token) throw new AppError('SESSION_MISSING');
      if (token.length > 256) throw new AppError('SESSION_INVALID');
      const h = tokenHash(token);
      const idleMs = opts.idleMinutes * 60_000;
      const now = Date.now();
      const hit = cache.get(h);
      // an entry that looks idle goes back to the database: another instance may have seen it since
      if (hit && hit.until > now && now - hit.lastSeen <= idleMs) return { userId: hit.userId, role: hit.role };
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
        cache.set(h, { userId: s.userId, role: s.role, lastSeen, until: now + cacheMs });
      }
      return { userId: s.userId, role: s.role };
    },

    /** RegisterUser (admins): default role operator. */
    async register(input: { name: string; password: string; remark?: string; role?: UserRole }): Promise<{ user_id: number }> {
      const name = checkName(input.name);
      const nameKey = accountNameKey(name);
      const id = await repo.insertUser({ name, nameKey, passwordHash: await hashPassword(input.password), remark: input.remark ?? '', role: input.role ?? 'operator' });
      if (id === undefined) throw await nameTaken(name, nameKey);
      return { user_id: id };
    },

    /**
     * UpdateUser. Anyone may change their own password (old_password required; wrong guesses count
     * toward their lockout from this address) and remark. Admins may also rename, change roles and
     * reset another account's password without its old one (which also lifts its login locks).
     */
    async update(input: { user_id: number; name?: string; old_password?: string; password?: string; remark?: string; role?: UserRole }, caller: Caller): Promise<void> {
      const self = input.user_id === caller.userId;
      const admin = hasRole(caller.role, 'admin');
      if (!self && !admin) throw new AppError('PERMISSION_DENIED', 'permission denied: needs the admin role to change another account');
      if (!admin && (input.name !== undefined || input.role !== undefined)) {
        throw new AppError('PERMISSION_DENIED', `permission denied: needs the admin role to change ${input.name !== undefined ? 'name' : 'role'}`);
      }
      const user = await repo.findUser(input.user_id);
      if (!user) throw new AppError('USER_NOT_FOUND', `user_id: no user ${input.user_id}`);
      const patch: { name?: string; nameKey?: string; passwordHash?: string; remark?: string } = {};
      if (input.name !== undefined && normalizeAccountName(input.name) !== user.name) {
        patch.name = checkName(input.name);
        patch.nameKey = accountNameKey(patch.name);
      }
      if (input.remark !== undefined) patch.remark = input.remark;
      if (input.password !== undefined) {
        if (self || input.old_password !== undefined) {
          if (input.old_password === undefined) throw new AppError('OLD_PASSWORD_REQUIRED');
          await checkPassword(user.nameKey ?? accountNameKey(user.name), caller.address, input.old_password, 'OLD_PASSWORD_WRONG');
        }
        patch.passwordHash = await hashPassword(input.password);
      }
      if (!(await repo.updateUser(user.id, patch))) throw await nameTaken(patch.name!, patch.nameKey!);
      if (input.role !== undefined && input.role !== user.role) {
        if ((await repo.setRole(user.id, input.role)) === 'last-admin') throw new AppError('LAST_ADMIN', 'role: the last admin cannot be demoted; make another account admin first');
        sessionsEnded(user.id); // cached sessions carry the old role
      }
      if (patch.passwordHash) {
        // an admin's reset also lifts the account's login locks (every address)
        if (!self) await repo.clearLoginFailures(user.nameKey ?? accountNameKey(user.name));
        await repo.deleteUserSessions(user.id);
        sessionsEnded(user.id);
      }
    },

    async remove(userId: number): Promise<void> {
      if (!(await repo.findUser(userId))) throw new AppError('USER_NOT_FOUND', `user_id: no user ${userId}`);
      const r = await repo.deleteUserUnlessLast(userId);
      if (r === 'last-user') throw new AppError('LAST_USER');
      if (r === 'last-admin') throw new AppError('LAST_ADMIN', 'user_id: the last admin cannot be deleted; make another account admin first');
      // sessions go with the user (ON DELETE CASCADE)
      sessionsEnded(userId);
    },

    /** QueryUserList (admins): accounts newest first, with their role; never password material. */
    async list(i: PageInput & { name?: string }) {
      const { total, rows } = await repo.listUsers(i.name || undefined, page(i));
      return paged(i, total, rows.map((u) => ({ user_id: u.id, name: u.name, role: u.role, remark: u.remark, create_time: timeOf(u.createTime, opts.timeZone ?? 'UTC') })));
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
