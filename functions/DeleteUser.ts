/** POST /DeleteUser (admins): ends the user's sessions; the last account (LAST_USER) and the last admin (LAST_ADMIN) cannot be deleted. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ user_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteUser',
  role: 'admin',
  summary: 'Delete an account and end its sessions; the last account and the last admin stay.',
  input,
  errors: ['USER_NOT_FOUND', 'LAST_USER', 'LAST_ADMIN'],
  example: { input: { user_id: 2 } },
  handler: (i, { services }) => services.accounts.remove(i.user_id),
});
