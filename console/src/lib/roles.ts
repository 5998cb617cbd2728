/**
 * Roles as the server enforces them (docs/security.md): viewer < operator < admin. The console
 * hides what a role may not do; the server refuses it regardless (PERMISSION_DENIED).
 */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export const isRole = (v: unknown): v is Role => v === 'viewer' || v === 'operator' || v === 'admin';

/** May `role` do what needs `need`? */
export const allows = (role: Role | undefined, need: Role): boolean => !!role && RANK[role] >= RANK[need];

/**
 * The role a PERMISSION_DENIED answer names ("permission denied: needs the operator role"), so the
 * words can say which role is missing; undefined when the message names none.
 */
export function neededRole(msg: string): Role | undefined {
  const m = /needs the (\w+) role/.exec(msg);
  return m && isRole(m[1]) ? m[1] : undefined;
}
