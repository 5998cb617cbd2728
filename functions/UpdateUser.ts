/**
 * POST /UpdateUser: anyone changes their own password (old_password required) or remark; admins
 * also rename, change `role` and reset another account's password (no old_password: also lifts its
 * login locks). A password change ends the user's sessions.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, md5, name, remark, role } from './lib/fields.ts';

export const input = z.object({ user_id: id, name: name().optional(), old_password: md5.optional(), password: md5.optional(), remark: remark.optional(), role: role.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateUser',
  role: 'viewer',
  input,
  handler: (i, { services, userId, role: callerRole, clientAddress }) => services.accounts.update(i, { userId, role: callerRole, address: clientAddress }),
});
