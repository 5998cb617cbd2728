/** POST /QueryCameraList: page_no, page_size, name? (substring), type? → items with both `online` and `state`. */
import { z } from 'zod';
import { defineFunction } from './lib/define.ts';
import { cameraType, page, text } from './lib/fields.ts';
import { flag, idOut, out, paged, timeOut } from './lib/outputs.ts';

export const input = z.object({ ...page, name: text(128).optional(), type: cameraType.optional() });
export type Input = z.infer<typeof input>;

/** one camera of the answer */
export const camera = out({
  camera_id: idOut, name: z.string(), rtsp: z.string(), type: z.number().int(),
  online: flag.describe('1 while a stream node has its stream open (measured, never set through the API)'),
  state: flag.describe('the same as online (the document\'s example calls it state)'), remark: z.string(), create_time: timeOut,
});

export const output = paged(camera);
export type Output = z.input<typeof output>;

export const app = defineFunction({
  uri: '/QueryCameraList',
  role: 'viewer',
  summary: 'Cameras with their measured online state, newest first, paged.',
  input,
  output,
  errors: [],
  example: {
    input: { page_no: 1, page_size: 20 },
    output: { info: { page_no: 1, page_size: 20, total_count: 1, items: [{
      camera_id: 3, name: 'Gate 1', rtsp: 'rtsp://admin:pass@192.168.1.64:554/Streaming/Channels/101', type: 0, online: 1, state: 1, remark: '',
      create_time: '2026-11-23 09:32:00',
    }] } },
  },
  handler: (i, { services }) => services.cameras.list(i),
});
