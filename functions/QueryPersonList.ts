/**
 * POST /QueryPersonList: page_no, page_size, lib_id?, name? (substring of name or pinyin), card_no?
 * (exact), category?, phone? (substring) → info {page_no, page_size, total_count, items}.
 */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cardNo, category, id, page, phone, text } from './lib/fields.ts';
import { idOut, oneOfOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({
  ...page, lib_id: id.optional(), name: text(128).optional(), card_no: cardNo.optional(), category: category.optional(), phone: phone.optional(),
});
export type Input = z.infer<typeof input>;

/** one person of the answer */
export const person = out({
  lib_id: idOut, lib_name: z.string(), person_id: idOut, name: z.string(),
  pinyin: z.string().describe('toneless Hanyu Pinyin of the name, syllables separated by spaces (张三 → "zhang san")'),
  sex: oneOfOut([0, 1, 2]).describe('0 unknown, 1 male, 2 female'), card_no: z.string(), phone: z.string(),
  category: oneOfOut([0, 1]).describe('0 whitelist, 1 blacklist'), pic_url: z.string(), remark: z.string(), create_time: timeOut,
});

export const output = paged(person);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryPersonList',
  role: 'viewer',
  summary: 'Persons, newest first, paged; name matches the name or its pinyin.',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20, name: 'zhang', card_no: '' },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      lib_id: 1, lib_name: 'Staff', person_id: 1001, name: '张三', pinyin: 'zhang san', sex: 1, card_no: '320102199001011234', phone: '13800000000',
      category: 0, pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg', remark: '', create_time: '2026-11-23 09:31:00',
    }] } },
  },
  handler: (i, { services }) => services.persons.list(i),
});
