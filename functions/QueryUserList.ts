/** POST /QueryUserList (admins): page_no, page_size, name? (substring) → info {…, items: [{user_id, name, role, remark, create_time}]}. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, text } from './lib/fields.ts';

export const input = z.object({ ...page, name: text(128).optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryUserList',
  role: 'admin',
  input,
  handler: (i, { services }) => services.accounts.list(i),
});
