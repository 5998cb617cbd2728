/** POST /QueryUserList (admins): page_no, page_size, name? (substring) → info {…, items: [{user_id, name, role, remark, create_time}]}. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { page, role, text } from './lib/fields.ts';
import { idOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, name: text(128).optional().describe('part of the name, any case') });
export type Input = z.infer<typeof input>;

/** one account of the answer: never password material */
export const account = out({ user_id: idOut, name: z.string(), role, remark: z.string(), create_time: timeOut });

export const output = paged(account);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryUserList',
  role: 'admin',
  summary: 'Accounts with their roles, newest first, paged (not in the customer document, which has no way to list accounts).',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20, name: '' },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      user_id: 1, name: 'admin', role: 'admin', remark: 'initial account', create_time: '2026-11-23 09:30:00',
    }] } },
  },
  handler: (i, { services }) => services.accounts.list(i),
});
