/** POST /RegisterUser: a new account (name unique: USER_EXISTS). Also returns user_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { md5, name, remark } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({ name: name(), password: md5, remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const output = out({ user_id: idOut });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/RegisterUser',
  role: 'admin',
  summary: 'Create an account.',
  input,
  output,
  errors: ['USER_EXISTS'],
  example: { input: { name: 'rose', password: 'e10adc3949ba59abbe56e057f20f883e', remark: 'front desk' }, output: { user_id: 2 } },
  handler: (i, { services }) => services.accounts.register(i),
});
