/**
 * Where the server may connect on a user's behalf (core/net/address-policy.ts): one list of CIDRs per
 * purpose. Cameras are reached by the API host (ONVIF, snapshots, AddCamera's check) and by every
 * stream node (RTSP), so both deployables read CameraRangesEnv; a StorageServer set through the API
 * and the AlarmWebhook receiver concern the host only.
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

/**
 * Every address but loopback: IPv4 without 127.0.0.0/8, IPv6 global unicast and unique-local (so
 * neither ::1 nor IPv4-mapped loopback). A one-box site or a test adds 127.0.0.0/8 itself.
 */
export const WEBHOOK_DEFAULT_RANGES =
  '0.0.0.0/2,64.0.0.0/3,96.0.0.0/4,112.0.0.0/5,120.0.0.0/6,124.0.0.0/7,126.0.0.0/8,128.0.0.0/1,2000::/3,fc00::/7';

export const WebhookRangesEnv = z.object({
  /** comma-separated CIDRs the AlarmWebhook receiver may be in; default every address but loopback (metadata addresses are always refused) */
  WEBHOOK_ALLOWED_RANGES: z.string().default(WEBHOOK_DEFAULT_RANGES),
});

/** CAMERA_ALLOWED_RANGES, or the former name when only that is set (an older environment keeps working). */
export function cameraRangesOf(cfg: CameraRangesEnv, env: Record<string, string | undefined>): string {
  return env.CAMERA_ALLOWED_RANGES === undefined && cfg.ONVIF_ALLOWED_RANGES ? cfg.ONVIF_ALLOWED_RANGES : cfg.CAMERA_ALLOWED_RANGES;
}
