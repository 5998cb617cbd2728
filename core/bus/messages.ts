/**
 * What travels on the bus: metadata and object keys, never frames. Each schema is the contract
 * between a stream node and its consumers; consumers parse with it and drop what does not parse.
 */
import { z } from 'zod';
import { EMBEDDING_DIM } from '../constants.ts';

const id = z.number().int().positive();
/** the largest epoch ms a Date holds */
const MAX_TIME = 8_640_000_000_000_000;

/** A box in pixels of the camera's full-resolution frame (the face engine's Box shape). */
export const BoxSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});
export type Box = z.infer<typeof BoxSchema>;

/**
 * An embedding: EMBEDDING_DIM floats, either as a JSON array or as base64 of little-endian float32
 * (what stream nodes send: 2.7 KB instead of ~10 KB). Read it with decodeEmbedding().
 */
export const EmbeddingSchema = z.union([
  z.array(z.number()).length(EMBEDDING_DIM),
  z.string().refine((s) => Buffer.byteLength(s, 'base64') === EMBEDDING_DIM * 4, {
    message: `base64 embedding must hold ${EMBEDDING_DIM} float32`,
  }),
]);

/** A face of one camera for one task: a shot of one appearance (a track's window), embedded and stored. */
export const FaceMessageSchema = z.object({
  /** stable for this track and period: a re-publish after a crash is dropped by the dedupe window */
  message_id: z.string().min(1).max(200),
  task_id: id,
  camera_id: id,
  /** 1: the task's camera_list1 (entrance), 2: camera_list2 (exit) */
  camera_list: z.union([z.literal(1), z.literal(2)]),
  /** epoch milliseconds of the frame the face was taken from (bounded: a Date must hold it) */
  capture_time: z.number().int().nonnegative().max(MAX_TIME),
  box: BoxSchema,
  /** face quality in [0, 1] as the face engine scores it */
  quality: z.number().min(0).max(1),
  embedding: EmbeddingSchema,
  /** object key of the face crop in the object store */
  capture_url: z.string().min(1),
  /** the stream node that saw it */
  node: z.string().min(1),
  /** the node's track id, for debugging and latency figures */
  track_id: z.number().int().nonnegative().optional(),
  /**
   * The appearance the shot belongs to (`<node>-<run>-<track>-<window>`): one record per appearance.
   * A later message of the same appearance carries a better shot of it (the record is improved, not
   * doubled); a new appearance of someone recorded at this task and camera less than
   * RECORD_PERIOD_MS before is merged into that record (the matcher's rate limit). Absent (older
   * nodes): each message is an appearance of its own.
   */
  appearance: z.string().min(1).max(200).optional(),
  /** epoch ms the appearance started: what the rate limit measures from (default capture_time) */
  appearance_start: z.number().int().nonnegative().max(MAX_TIME).optional(),
});
export type FaceMessage = z.infer<typeof FaceMessageSchema>;

export const StreamStateSchema = z.enum(['connecting', 'online', 'offline']);
export type StreamState = z.infer<typeof StreamStateSchema>;

/** A stream node's view of one camera, published on every change and periodically. */
export const CameraStateMessageSchema = z.object({
  camera_id: id,
  node: z.string().min(1),
  state: StreamStateSchema,
  /** the tasks this node runs on this camera (its stream state is per task in QueryTaskList) */
  task_ids: z.array(id),
  /** epoch ms */
  time: z.number().int().nonnegative(),
  /** why it is offline, in English */
  reason: z.string().optional(),
});
export type CameraStateMessage = z.infer<typeof CameraStateMessageSchema>;

/** The tasks that should be running now and their cameras, as the API sees them. */
export const TasksDesiredMessageSchema = z.object({
  /** increases with each change; nodes ignore an older one */
  version: z.number().int().nonnegative(),
  tasks: z.array(z.object({
    task_id: id,
    interval: z.number().int().positive(),
    cameras: z.array(z.object({ camera_id: id, rtsp: z.string().min(1), camera_list: z.union([z.literal(1), z.literal(2)]) })),
  })),
});
export type TasksDesiredMessage = z.infer<typeof TasksDesiredMessageSchema>;

/** A user's sessions ended on one API instance; the others forget them at once, not after their cache time. */
export const SessionsEndedMessageSchema = z.object({ user_id: id });
export type SessionsEndedMessage = z.infer<typeof SessionsEndedMessageSchema>;

/** Events were appended to the log; the readers look at it now. No payload: the log is the truth. */
export const EventsAppendedMessageSchema = z.object({});
export type EventsAppendedMessage = z.infer<typeof EventsAppendedMessageSchema>;

export function encodeEmbedding(v: Float32Array | number[]): string {
  const f = v instanceof Float32Array ? v : Float32Array.from(v);
  const buf = Buffer.alloc(f.length * 4);
  for (let i = 0; i < f.length; i++) buf.writeFloatLE(f[i], i * 4);
  return buf.toString('base64');
}

export function decodeEmbedding(e: string | number[]): Float32Array {
  if (Array.isArray(e)) return Float32Array.from(e);
  const buf = Buffer.from(e, 'base64');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}
