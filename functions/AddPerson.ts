/** POST /AddPerson: enrols the face of pic_url (exactly one usable face) → person_id. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cardNo, category, id, name, phone, picUrl, remark, sex } from './lib/fields.ts';
import { idOut, out } from './lib/outputs.ts';

export const input = z.object({
  lib_id: id, name: name(), sex: sex.optional(), pic_url: picUrl, card_no: cardNo.optional(), phone: phone.optional(),
  category: category.optional(), remark: remark.optional(),
});
export type Input = z.infer<typeof input>;

export const output = out({ person_id: idOut });
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/AddPerson',
  role: 'operator',
  summary: 'Enrol a person from a picture with exactly one usable face.',
  input,
  output,
  errors: ['LIBRARY_NOT_FOUND', 'INVALID_PIC_URL', 'PICTURE_NOT_FOUND', 'NOT_AN_IMAGE', 'IMAGE_TOO_LARGE', 'NO_FACE', 'MULTIPLE_FACES', 'FACE_TOO_SMALL', 'FACE_TOO_BLURRY', 'FACE_POOR_QUALITY', 'FACE_ENGINE_FAILED', 'STORAGE_UNAVAILABLE'],
  example: { input: { lib_id: 1, name: '张三', sex: 1, pic_url: '/pictures/2026/11/23/0f8fad5b-d9cb-469f-a165-70867728950e.jpg', card_no: '320102199001011234', phone: '13800000000', category: 0, remark: '' }, output: { person_id: 1001 } },
  handler: (i, { services }) => services.persons.add(i),
});
