/** POST /RegisterUser: a new account (name unique: USER_EXISTS). Also returns user_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { md5, name, remark } from './lib/fields.ts';

export const input = z.object({ name: name(), password: md5, remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/RegisterUser',
  role: 'admin',
  input,
  handler: (i, { services }) => services.accounts.register(i),
});
