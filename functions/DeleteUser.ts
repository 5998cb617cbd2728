/** POST /DeleteUser: ends the user's sessions; the last account cannot be deleted (LAST_USER). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { id } from './lib/fields.ts';

export const input = z.object({ user_id: id });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/DeleteUser',
  role: 'admin',
  summary: 'Delete an account and end its sessions; the last account stays.',
  input,
  errors: ['USER_NOT_FOUND', 'LAST_USER'],
  example: { input: { user_id: 2 } },
  handler: (i, { services }) => services.accounts.remove(i.user_id),
});
