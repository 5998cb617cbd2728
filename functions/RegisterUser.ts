/** POST /RegisterUser (admins): a new account, role viewer/operator/admin (default operator). Also returns user_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { md5, name, remark, role } from './lib/fields.ts';

export const input = z.object({ name: name(), password: md5, remark: remark.optional(), role: role.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/RegisterUser',
  role: 'admin',
  input,
  handler: (i, { services }) => services.accounts.register(i),
});
