/** POST /UpdateUser: rename, remark, or change password (needs old_password; ends the user's sessions). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, md5, name, remark } from './lib/fields.ts';

export const input = z.object({ user_id: id, name: name().optional(), old_password: md5.optional(), password: md5.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateUser',
  role: 'viewer',
  summary: 'Rename an account, change its remark or its password (old_password required; ends its sessions).',
  input,
  errors: ['USER_NOT_FOUND', 'USER_EXISTS', 'OLD_PASSWORD_REQUIRED', 'OLD_PASSWORD_WRONG'],
  example: { input: { user_id: 2, old_password: 'e10adc3949ba59abbe56e057f20f883e', password: 'c33367701511b4f6020ec61ded352059' } },
  handler: (i, { services }) => services.accounts.update(i),
});
