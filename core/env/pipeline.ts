/**
 * The camera pipeline's settings: one definition for a stand-alone stream node and the node
 * embedded in the API host, so both read the same variables with the same bounds and defaults.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { int, optionalString } from './parse.ts';
import type { StorageEnv } from './storage.ts';
import { DECODE_NICE } from '../constants.ts';

export const PipelineEnv = z.object({
  /** frames are scaled to this width before detection */
  DETECT_WIDTH: int(160, 3840).default(960),
  /** 1: detect on 640 px tiles at DETECT_WIDTH (finds faces down to ~15 px of a 1080p camera, 2
   * detector runs per 960 px frame); 0: the frame shrunk to 640 px (faces under ~30 px missed) */
  DETECT_TILES: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
  /** 1: a frame showing the same scene as the last one detected is not detected again, its faces are
   *  kept (stream-node/pipeline/motion.ts); 0: every analysed frame is detected */
  MOTION_GATE: z.enum(['0', '1']).default('1').transform((v) => v === '1'),
  /** with the motion gate, a frame is detected whole at least this often, changed or not */
  MOTION_REFRESH_MS: int(500, 600_000).default(4000),
  /** with the motion gate, 1: a change confined to one part of the frame is detected there alone, the
   *  faces elsewhere kept; 0: any change means detecting the whole frame */
  MOTION_REGIONS: z.enum(['0', '1']).default('1').transform((v) => v === '1'),
  /** keyframes: decode only key frames (cheap; a frame per GOP at most); all: every frame; auto:
   * key frames unless they come further apart than the interval */
  DECODE: z.enum(['auto', 'keyframes', 'all']).default('auto'),
  /** niceness added to ffmpeg's CPU priority over the node's own (0: the same): under load, decoding
   *  waits before analysis does (core/constants.ts) */
  DECODE_NICE: int(0, 19).default(DECODE_NICE),
  /** one face message (so one capture record) per face track per this period */
  PUBLISH_PERIOD_MS: int(1000, 24 * 3600_000).default(60_000),
  /** a face track unseen this long has ended */
  TRACK_IDLE_MS: int(100, 600_000).default(3000),
  /** faces below this quality are tracked but never recorded */
  MIN_FACE_QUALITY: z.coerce.number().min(0).max(1).default(0.3),
  /** camera lease TTL: a dead node's cameras move to the others after this */
  LEASE_TTL_MS: int(1000, 600_000).default(10_000),
  /** where a stream node keeps the face crops and messages the object store or the bus has not taken
   *  yet (outbox); default DATA_DIR/outbox/<node name> */
  OUTBOX_DIR: optionalString,
  /** most faces (crop + messages) kept in the outbox; the oldest are dropped beyond (counted, logged) */
  OUTBOX_MAX: int(10, 10_000_000).default(100_000),
  /** most megabytes kept in the outbox; the oldest are dropped beyond */
  OUTBOX_MAX_MB: int(1, 1_000_000).default(1024),
});
export type PipelineEnv = z.infer<typeof PipelineEnv>;

/** The StreamNode options these settings make (stream-node/node.ts). */
export function pipelineOptions(cfg: PipelineEnv) {
  return {
    leaseTtlMs: cfg.LEASE_TTL_MS,
    detectWidth: cfg.DETECT_WIDTH,
    detectTiles: cfg.DETECT_TILES,
    motion: cfg.MOTION_GATE ? { refreshMs: cfg.MOTION_REFRESH_MS, regions: cfg.MOTION_REGIONS } : (false as const),
    decode: cfg.DECODE,
    source: { nice: cfg.DECODE_NICE },
    tracker: { publishPeriodMs: cfg.PUBLISH_PERIOD_MS, maxIdleMs: cfg.TRACK_IDLE_MS, minQuality: cfg.MIN_FACE_QUALITY },
  };
}

/** A stream node's outbox: OUTBOX_DIR, else DATA_DIR/outbox/<node> (one folder per node name). */
export function outboxOptions(cfg: Pick<PipelineEnv, 'OUTBOX_DIR' | 'OUTBOX_MAX' | 'OUTBOX_MAX_MB'> & Pick<StorageEnv, 'DATA_DIR'>, node: string): { dir: string; maxEntries: number; maxBytes: number } {
  return { dir: resolve(cfg.OUTBOX_DIR ?? join(cfg.DATA_DIR, 'outbox', node)), maxEntries: cfg.OUTBOX_MAX, maxBytes: cfg.OUTBOX_MAX_MB * 1024 * 1024 };
}
