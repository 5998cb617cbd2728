/** POST /GetSystemConfig: name → info {name, config (JSON string, secrets masked)}. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { configName } from './lib/fields.ts';

export const input = z.object({ name: configName });
export type Input = z.infer<typeof input>;

export const app = defineFunction({
  uri: '/GetSystemConfig',
  role: 'admin',
  input,
  handler: (i, { services }) => services.systemConfig.get(i.name),
});
