/**
 * What travels on the bus: metadata and object keys, never frames. Each schema is the contract
 * between a stream node and its consumers; core/bus/channels.ts binds each to its subject and
 * parses every message once, where it arrives.
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

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * An embedding: EMBEDDING_DIM floats, either as a JSON array or as base64 of little-endian float32
 * (what stream nodes send: 2.7 KB instead of ~10 KB). Parsed into a Float32Array; refused when it has
 * the wrong length, a non-finite value (NaN/Infinity from a broken model run) or no direction at all
 * (all zeros): the nearest-person search would answer nonsense or fail on it every time.
 */
export const EmbeddingSchema = z.union([
  z.array(z.number()).length(EMBEDDING_DIM),
  z.string().refine((s) => BASE64.test(s) && Buffer.from(s, 'base64').length === EMBEDDING_DIM * 4, {
    message: `base64 embedding must hold ${EMBEDDING_DIM} float32`,
  }),
]).transform((e, ctx) => {
  const v = decodeEmbedding(e);
  let norm = 0;
  for (const x of v) norm += x * x;
  if (!Number.isFinite(norm)) ctx.addIssue({ code: 'custom', message: 'embedding has a non-finite value' });
  else if (norm < 1e-12) ctx.addIssue({ code: 'custom', message: 'embedding is all zeros' });
  return v;
});


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
/** a face message as sent (embedding encoded) */
export type FaceMessage = z.input<typeof FaceMessageSchema>;
/** a face message as received and parsed (embedding decoded) */
export type ParsedFaceMessage = z.output<typeof FaceMessageSchema>;

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

/** A capture record the matcher wrote, for live consumers (event streams, webhooks). */
export const CaptureEventSchema = z.object({
  record_id: id,
  message_id: z.string().min(1),
  task_id: id,
  camera_id: id,
  camera_list: z.union([z.literal(1), z.literal(2)]),
  classify: z.union([z.literal(0), z.literal(1)]),
  /** 0 for a stranger */
  person_id: z.number().int().nonnegative(),
  person_name: z.string(),
  lib_id: z.number().int().nonnegative(),
  category: z.number().int().nonnegative(),
  similarity: z.number(),
  capture_url: z.string(),
  /** epoch ms */
  capture_time: z.number().int().nonnegative(),
});
export type CaptureEvent = z.infer<typeof CaptureEventSchema>;

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

export function decodeEmbedding(e: string | number[] | Float32Array): Float32Array {
  if (e instanceof Float32Array) return e;
  if (Array.isArray(e)) return Float32Array.from(e);
  const buf = Buffer.from(e, 'base64');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** A durable message its consumer gave up on, as kept in stream DEAD_LETTERS. */
export const DeadLetterSchema = z.object({
  /** where it was published, and its sequence in that stream */
  subject: z.string().min(1),
  stream: z.string().min(1),
  seq: z.number().int().nonnegative(),
  /** the consumer that gave up */
  durable: z.string().min(1),
  /** malformed: it did not parse (never retried); failed: its handler failed on every delivery */
  reason: z.enum(['malformed', 'failed']),
  deliveries: z.number().int().positive(),
  /** the parse issues or the last error, in English */
  error: z.string(),
  /** epoch ms when it was given up */
  time: z.number().int().nonnegative(),
  /** the message as it was received */
  data: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
