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
  summary: 'Change your own password (old_password required) or remark; admins also rename, change roles and reset passwords (ends its sessions).',
  input,
  errors: ['PERMISSION_DENIED', 'USER_NOT_FOUND', 'USER_EXISTS', 'NAME_CONFUSABLE', 'OLD_PASSWORD_REQUIRED', 'OLD_PASSWORD_WRONG', 'LOGIN_LOCKED', 'LAST_ADMIN'],
  example: { input: { user_id: 2, old_password: 'e10adc3949ba59abbe56e057f20f883e', password: 'c33367701511b4f6020ec61ded352059' } },
  handler: (i, { services, userId, role: callerRole, clientAddress }) => services.accounts.update(i, { userId, role: callerRole, address: clientAddress }),
});
