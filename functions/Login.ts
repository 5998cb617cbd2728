/**
 * POST /Login: username + md5(password) → user_id, role, session. The only URI without a session.
 * `username` is compared case-insensitively (NFKC); failures lock per (username, client address).
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { md5, role, text } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({ username: text(128).min(1, 'must not be empty'), password: md5 });
export type Input = z.infer<typeof input>;

export const output = out({ user_id: idOut, role: role.describe('what the account may call (docs/security.md)'), session: z.string().min(1).describe('send it as `session` (body or form field), `X-Session` or `Authorization: Bearer`') });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/Login',
  role: 'none',
  summary: 'Log in: username and the MD5 of the password give a session.',
  input,
  output,
  errors: ['LOGIN_FAILED', 'LOGIN_LOCKED'],
  example: { input: { username: 'admin', password: '21232f297a57a5a743894a0e4a801fc3' }, output: { user_id: 1, role: 'admin', session: 'mXk2pQ9v0rS3tL8wY1zA4bC7dE6fG5hJ2kN0pQ3rS6t' } },
  handler: (i, { services, clientAddress }) => services.accounts.login(i.username, i.password, clientAddress),
});
