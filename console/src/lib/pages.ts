/**
 * The console's pages and the least role that sees each (the navigation and the route guard read
 * it): viewers read everything but accounts and system config; operators also import; admins also
 * manage accounts and the system. Kept apart from the views so it can be tested without a DOM.
 */
import type { Key } from '../i18n/zh-CN.ts';
import { allows, type Role } from './roles.ts';

export type PageId = 'overview' | 'live' | 'alarms' | 'libraries' | 'persons' | 'import' | 'cameras' | 'tasks' | 'records' | 'reports' | 'users' | 'system';
export type PageEntry = { id: PageId; path: string; key: Key; role: Role; nav: boolean };

export const PAGES: readonly PageEntry[] = [
  { id: 'overview', path: '/', key: 'nav.overview', role: 'viewer', nav: true },
  { id: 'live', path: '/live', key: 'nav.live', role: 'viewer', nav: true },
  { id: 'alarms', path: '/alarms', key: 'nav.alarms', role: 'viewer', nav: true },
  { id: 'libraries', path: '/libraries', key: 'nav.libraries', role: 'viewer', nav: true },
  { id: 'persons', path: '/libraries/:lib_id', key: 'nav.libraries', role: 'viewer', nav: false },
  { id: 'import', path: '/import', key: 'nav.import', role: 'operator', nav: true },
  { id: 'cameras', path: '/cameras', key: 'nav.cameras', role: 'viewer', nav: true },
  { id: 'tasks', path: '/tasks', key: 'nav.tasks', role: 'viewer', nav: true },
  { id: 'records', path: '/records', key: 'nav.records', role: 'viewer', nav: true },
  { id: 'reports', path: '/reports', key: 'nav.reports', role: 'viewer', nav: true },
  { id: 'users', path: '/users', key: 'nav.users', role: 'admin', nav: true },
  { id: 'system', path: '/system', key: 'nav.system', role: 'admin', nav: true },
];

/** The navigation a role gets. */
export const navFor = (role: Role | undefined): PageEntry[] => PAGES.filter((p) => p.nav && allows(role, p.role));
