/**
 * Who is logged in: the session the API gave, the user, and the role. Kept in localStorage so a
 * reload or a second tab stays logged in; the server ends it (idle time, password change, deletion)
 * and the client then goes back to the login page (api/client.ts).
 */
import { allows, isRole, ROLES, type Role } from '../lib/roles.ts';
import { signal } from '../lib/signal.ts';

export type { Role };

export type Session = { session: string; user_id: number; username: string; role: Role };

const KEY = 'fw.session';

function load(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && typeof s.session === 'string' && s.session && isRole(s.role) ? s : null;
  } catch {
    return null;
  }
}

export const session = signal<Session | null>(load());

/**
 * The role from a /Login answer (issue 10: every answer names it). An answer without one is from a
 * server before roles, where every account could do everything: the console then shows everything
 * and the server decides.
 */
export function roleOf(answer: { role?: unknown }): Role {
  return isRole(answer.role) ? answer.role : 'admin';
}

export function setSession(s: Session | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  session.value = s;
}

/** May the logged-in user do what needs `need`? */
export function can(need: Role, s: Session | null = session.value): boolean {
  return allows(s?.role, need);
}

/**
 * The server refused for want of `need` (PERMISSION_DENIED names it): the account's role was lowered
 * since it logged in (an admin changed it; the server applies that at once). The console takes the
 * role just below `need`, so it stops offering what the server refuses; a further refusal lowers it
 * again. Its real role shows at the next login.
 */
export function roleRefused(need: Role): void {
  const s = session.value;
  const below = ROLES[ROLES.indexOf(need) - 1];
  if (s && below && allows(s.role, need)) setSession({ ...s, role: below });
}
