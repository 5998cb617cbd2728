/**
 * ONVIF: find cameras (WS-Discovery) and ask one for its RTSP address (GetProfiles + GetStreamUri).
 * The functions reach this through `createOnvifService`, built once from the host config.
 */
import { ConfigError } from '../env/parse.ts';
import { createAddressPolicy, type AddressPolicy } from '../net/address-policy.ts';
import { queryRtsp, type RtspQuery } from './device-client.ts';
import { discover, parseProbeTargets, type ProbeTarget } from './discovery.ts';

export { createAddressPolicy, parseHostPort, formatHostPort, DEFAULT_ALLOWED_RANGES } from '../net/address-policy.ts';
export type { AddressPolicy, HostPort } from '../net/address-policy.ts';
export { queryRtsp, withUserInfo, DEVICE_SERVICE_PATH } from './device-client.ts';
export type { RtspQuery, DeviceClientOptions } from './device-client.ts';
export { discover, buildProbe, manufacturerFromScopes, parseProbeTargets, WS_DISCOVERY_GROUP, WS_DISCOVERY_PORT } from './discovery.ts';
export type { DiscoveredDevice, DiscoveryOptions, ProbeTarget } from './discovery.ts';

export interface OnvifConfig {
  /** CAMERA_ALLOWED_RANGES: comma-separated CIDRs */
  allowedRanges: string;
  /** ONVIF_DISCOVERY_MS: how long /SearchCamera listens */
  discoveryMs: number;
  /** ONVIF_TIMEOUT_MS: bound for each network step towards one camera */
  timeoutMs: number;
  /** ONVIF_DISCOVERY_TARGETS: where the Probe goes; empty = the multicast group 239.255.255.250:3702 */
  discoveryTargets?: string;
  /** local IPv4 address of the interface to send the multicast Probe from */
  multicastInterface?: string;
}

export interface CameraSearchResult {
  total_count: number;
  items: { ip: string; manufacturer: string }[];
}

export interface OnvifService {
  readonly policy: AddressPolicy;
  /** /SearchCamera */
  search(): Promise<CameraSearchResult>;
  /** /QueryCameraRtsp */
  queryRtsp(q: RtspQuery): Promise<{ rtsp: string }>;
}

/** Throws ConfigError naming the variable when a range or target does not parse: the host fails at start. */
export function createOnvifService(cfg: OnvifConfig): OnvifService {
  const policy = configured('CAMERA_ALLOWED_RANGES', () => createAddressPolicy(cfg.allowedRanges, 'CAMERA_ALLOWED_RANGES'));
  const targets: ProbeTarget[] = cfg.discoveryTargets ? configured('ONVIF_DISCOVERY_TARGETS', () => parseProbeTargets(cfg.discoveryTargets!)) : [];
  const searchOnce = async (): Promise<CameraSearchResult> => {
    const devices = await discover({
      windowMs: cfg.discoveryMs,
      targets,
      multicastInterface: cfg.multicastInterface,
      policy,
      timeoutMs: cfg.timeoutMs,
    });
    const items = devices
      .map((d) => ({ ip: d.ip, manufacturer: d.manufacturer }))
      .sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }));
    return { total_count: items.length, items };
  };
  // Calls that arrive while a search runs share its answer: one Probe and one window, however many clicks.
  let running: Promise<CameraSearchResult> | undefined;
  return {
    policy,
    search: () =>
      (running ??= searchOnce().finally(() => {
        running = undefined;
      })),
    queryRtsp: (q) => queryRtsp(q, { policy, timeoutMs: cfg.timeoutMs }),
  };
}

function configured<T>(variable: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    throw new ConfigError(`bad environment: ${variable}: ${(e as Error).message}`);
  }
}
