/**
 * POST /QueryPersonList: page_no, page_size, lib_id?, name? (substring of name or pinyin), card_no?
 * (exact), category?, phone? (substring) → info {page_no, page_size, total_count, items}.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cardNo, category, id, page, phone, text } from './lib/fields.ts';

export const input = z.object({
  ...page, lib_id: id.optional(), name: text(128).optional(), card_no: cardNo.optional(), category: category.optional(), phone: phone.optional(),
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/QueryPersonList',
  role: 'viewer',
  input,
  handler: (i, { services }) => services.persons.list(i),
});
