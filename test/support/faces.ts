/**
 * Face messages as a stream node sends them, published on the host's own bus (in process, or NATS
 * when the host has NATS_URL) with the crop already in its store: what the matcher turns into
 * records, alarms and events, without cameras.
 */
import { randomUUID } from 'node:crypto';
import { encodeEmbedding, Subjects, type FaceMessage } from '../../core/bus/index.ts';
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
  const key = `captures/${new Date().toISOString().slice(0, 10)}/${o.camera}/${id}.jpg`;
  await api.host.services.store.put(key, o.crop, 'image/jpeg');
  const m: FaceMessage = {
    message_id: id, task_id: o.task, camera_id: o.camera, camera_list: o.list ?? 1, capture_time: o.time ?? Date.now(),
    box: { x: 10, y: 10, width: 100, height: 120 }, quality: 0.9, embedding: encodeEmbedding(o.embedding), capture_url: key, node: 'test',
  };
  await api.host.services.bus.publish(Subjects.faces(o.task, o.camera), m, { msgId: id });
  return m;
}
