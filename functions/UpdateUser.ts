/** POST /UpdateUser: rename, remark, or change password (needs old_password; ends the user's sessions). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id, md5, name, remark } from './lib/fields.ts';

export const input = z.object({ user_id: id, name: name().optional(), old_password: md5.optional(), password: md5.optional(), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateUser',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.accounts.update(i),
});
