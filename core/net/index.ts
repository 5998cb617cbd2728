/** Outbound connections on a user's behalf: one address policy (address-policy.ts) for every purpose. */
export { createAddressPolicy, parseHostPort, formatHostPort, DEFAULT_ALLOWED_RANGES, ALWAYS_REFUSED } from './address-policy.ts';
export type { AddressPolicy, HostPort, ResolveErrors } from './address-policy.ts';
import type { AddressPolicy } from './address-policy.ts';

/**
 * The RTSP URL to hand to ffmpeg: its host resolved and checked by `policy` (ADDRESS_NOT_ALLOWED,
 * CAMERA_UNREACHABLE, CAMERA_TIMEOUT). For rtsp:// the checked IP replaces the name, so ffmpeg cannot
 * resolve it again to something else; rtsps:// keeps the name (TLS checks the certificate against it).
 */
export async function checkedRtspUrl(url: string, policy: AddressPolicy, timeoutMs: number): Promise<string> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const ip = await policy.resolve(host, timeoutMs);
  if (u.protocol !== 'rtsp:' || ip === host) return url;
  u.hostname = ip.includes(':') ? `[${ip}]` : ip;
  return u.toString();
}
