/**
 * Where the server may connect on a user's behalf (core/net/address-policy.ts): one list of CIDRs per
 * purpose. Cameras are reached by the API host (ONVIF, snapshots, AddCamera's check) and by every
 * stream node (RTSP), so both deployables read CameraRangesEnv; a StorageServer set through the API
 * concerns the host only.
 */
import { z } from 'zod';
import { DEFAULT_ALLOWED_RANGES } from '../net/address-policy.ts';
import { optionalString } from './parse.ts';

export const CameraRangesEnv = z.object({
  /** comma-separated CIDRs of cameras (ONVIF and RTSP hosts); default private and link-local,
   *  not loopback (add 127.0.0.1/32 for a one-box site). Cloud metadata addresses are always refused. */
  CAMERA_ALLOWED_RANGES: z.string().default(DEFAULT_ALLOWED_RANGES),
  /** the former name of CAMERA_ALLOWED_RANGES, used when that is not set */
  ONVIF_ALLOWED_RANGES: optionalString,
});
export type CameraRangesEnv = z.infer<typeof CameraRangesEnv>;

export const StorageRangesEnv = z.object({
  /** comma-separated CIDRs a StorageServer set by /UpdateSystemConfig may be at (the S3_* environment is trusted as is) */
  STORAGE_ALLOWED_RANGES: z.string().default(DEFAULT_ALLOWED_RANGES),
});

/** CAMERA_ALLOWED_RANGES, or the former name when only that is set (an older environment keeps working). */
export function cameraRangesOf(cfg: CameraRangesEnv, env: Record<string, string | undefined>): string {
  return env.CAMERA_ALLOWED_RANGES === undefined && cfg.ONVIF_ALLOWED_RANGES ? cfg.ONVIF_ALLOWED_RANGES : cfg.CAMERA_ALLOWED_RANGES;
}
