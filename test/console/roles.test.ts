/**
 * What each role sees in the console (console/src/lib/pages.ts, roles.ts). That it matches what the
 * server lets each role call: test/functions/console-contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { navFor, PAGES } from '../../console/src/lib/pages.ts';
import { allows, neededRole, ROLES } from '../../console/src/lib/roles.ts';

describe('role gating', () => {
  it('viewer < operator < admin', () => {
    expect(ROLES.map((r) => ROLES.map((need) => allows(r, need)))).toEqual([[true, false, false], [true, true, false], [true, true, true]]);
    expect(allows(undefined, 'viewer')).toBe(false);
  });

  it('the navigation: viewers no import, accounts or system; operators no accounts or system; admins everything', () => {
    const ids = (r: Parameters<typeof navFor>[0]) => navFor(r).map((p) => p.id);
    expect(ids('viewer')).toEqual(['overview', 'live', 'alarms', 'libraries', 'cameras', 'tasks', 'records', 'reports']);
    expect(ids('operator')).toEqual(['overview', 'live', 'alarms', 'libraries', 'import', 'cameras', 'tasks', 'records', 'reports']);
    expect(ids('admin')).toEqual(PAGES.filter((p) => p.nav).map((p) => p.id));
  });

  it('the role a PERMISSION_DENIED message names', () => {
    expect(neededRole('permission denied: needs the operator role')).toBe('operator');
    expect(neededRole('permission denied: needs the admin role to change role')).toBe('admin');
    expect(neededRole('permission denied')).toBeUndefined();
    expect(neededRole('needs the root role')).toBeUndefined();
  });
});
