/** POST /RegisterUser (admins): a new account, role viewer/operator/admin (default operator). Also returns user_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { md5, name, remark, role } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({ name: name(), password: md5, remark: remark.optional(), role: role.optional() });
export type Input = z.infer<typeof input>;

export const output = out({ user_id: idOut });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/RegisterUser',
  role: 'admin',
  summary: 'Create an account with a role (default operator).',
  input,
  output,
  errors: ['USER_EXISTS', 'NAME_CONFUSABLE'],
  example: { input: { name: 'rose', password: 'e10adc3949ba59abbe56e057f20f883e', remark: 'front desk', role: 'operator' }, output: { user_id: 2 } },
  handler: (i, { services }) => services.accounts.register(i),
});
