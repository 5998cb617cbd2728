/** POST /UpdateSystemConfig: name, config (a JSON object as a string), remark?. StorageServer is applied (checked first). */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { configName, remark, text } from './lib/fields.ts';
export const input = z.object({ name: configName, config: text(65536), remark: remark.optional() });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/UpdateSystemConfig',
  role: 'admin',
  input,
  handler: (i, { services }) => services.systemConfig.update(i),
});
