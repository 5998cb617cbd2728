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
  summary: "Change a person's fields; a new pic_url is enrolled first.",
  input,
  errors: ['LIBRARY_NOT_FOUND', 'INVALID_PIC_URL', 'PICTURE_NOT_FOUND', 'NOT_AN_IMAGE', 'IMAGE_TOO_LARGE', 'NO_FACE', 'MULTIPLE_FACES', 'FACE_TOO_SMALL', 'FACE_TOO_BLURRY', 'FACE_POOR_QUALITY', 'FACE_ENGINE_FAILED', 'STORAGE_UNAVAILABLE', 'PERSON_NOT_FOUND'],
  example: { input: { lib_id: 1, person_id: 1001, phone: '13900000000' } },
  handler: (i, { services }) => services.persons.update(i),
});
