/** POST /UpdatePerson: person_id in lib_id; any AddPerson field; a new pic_url is enrolled first. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cardNo, category, id, longId, name, phone, picUrl, remark, sex } from './lib/fields.ts';

export const input = z.object({
  lib_id: id, person_id: longId, name: name().optional(), sex: sex.optional(), pic_url: picUrl.optional(), card_no: cardNo.optional(),
  phone: phone.optional(), category: category.optional(), remark: remark.optional(),
});
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdatePerson',
  role: 'operator',
  input,
  handler: (i, { services }) => services.persons.update(i),
});
