/** POST /AddPerson: enrols the face of pic_url (exactly one usable face) → person_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cardNo, category, id, name, phone, picUrl, remark, sex } from './lib/fields.ts';

export const input = z.object({
  lib_id: id, name: name(), sex: sex.optional(), pic_url: picUrl, card_no: cardNo.optional(), phone: phone.optional(),
  category: category.optional(), remark: remark.optional(),
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/AddPerson',
  role: 'operator',
  input,
  handler: (i, { services }) => services.persons.add(i),
});
