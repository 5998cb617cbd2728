/**
 * Account roles, ordered: a viewer queries, downloads and compares; an operator also manages
 * libraries, persons, pictures, cameras, tasks and records; an admin also manages accounts and the
 * system config. Each URI declares the least role that may call it (functions/lib/define.ts).
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type UserRole = (typeof ROLES)[number];

/** true when `role` is `needed` or above it */
export const hasRole = (role: UserRole, needed: UserRole): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);
