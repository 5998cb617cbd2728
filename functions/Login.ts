/**
 * POST /Login: username + md5(password) → user_id, role, session. The only URI without a session.
 * `username` is compared case-insensitively (NFKC); failures lock per (username, client address).
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { md5, text } from './lib/fields.ts';

export const input = z.object({ username: text(128).min(1, 'must not be empty'), password: md5 });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/Login',
  input,
  role: 'none',
  handler: (i, { services, clientAddress }) => services.accounts.login(i.username, i.password, clientAddress),
});
