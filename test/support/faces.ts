/**
 * Face messages as a stream node sends them, published on the host's own bus (in process, or NATS
 * when the host has NATS_URL) with the crop already in its store: what the matcher turns into
 * records, alarms and events, without cameras.
 */
import { randomUUID } from 'node:crypto';
import { Channels } from '../../core/bus/channels.ts';
import { encodeEmbedding, type FaceMessage } from '../../core/bus/index.ts';
import { captureKey } from '../../core/storage/index.ts';
import type { Api } from './api.ts';

/** a unit vector nobody is enrolled with: a stranger */
export function randomEmbedding(): Float32Array {
  const v = new Float32Array(512).map(() => Math.random() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export async function publishFace(api: Api, o: {
  task: number; camera: number; list?: 1 | 2; embedding: Float32Array; crop: Buffer; time?: number; id?: string;
}): Promise<FaceMessage> {
  const id = o.id ?? `t-${randomUUID()}`;
  const key = captureKey({ time: Date.now(), cameraId: o.camera, name: id });
  await api.host.resources.store.put(key, o.crop, 'image/jpeg');
  const m: FaceMessage = {
    message_id: id, task_id: o.task, camera_id: o.camera, camera_list: o.list ?? 1, capture_time: o.time ?? Date.now(),
    box: { x: 10, y: 10, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(o.embedding), capture_url: key, node: 'test',
  };
  await Channels.faces.publish(api.host.resources.bus, m);
  return m;
}
