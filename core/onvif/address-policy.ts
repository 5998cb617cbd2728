/**
 * Which addresses the server may contact on a user's behalf. /QueryCameraRtsp connects to whatever
 * `ip` a user types, so without this check the server could be used to probe hosts it can reach but
 * the user cannot (cloud metadata endpoints, the internet, other tenants). Every check happens before
 * a single packet goes to the address; hostnames are resolved first and all their addresses must be
 * allowed, and the caller then connects to the checked IP (never re-resolving: no DNS rebinding).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.ts';

export interface HostPort {
  /** hostname or IP literal as typed, without brackets or IPv6 zone */
  host: string;
  port: number;
}

export interface AddressPolicy {
  readonly ranges: readonly string[];
  /** true when this IP literal lies in an allowed range */
  allows(ip: string): boolean;
  /**
   * Resolves `host` (an IP literal or a name) and returns the IP to connect to; throws
   * ADDRESS_NOT_ALLOWED when any resolved address is outside the ranges, CAMERA_UNREACHABLE when the
   * name does not resolve, CAMERA_TIMEOUT when resolution takes longer than `timeoutMs`.
   */
  resolve(host: string, timeoutMs: number): Promise<string>;
}

/** Default: loopback, private (RFC 1918, ULA) and link-local, as in core/config.ts. */
export const DEFAULT_ALLOWED_RANGES =
  '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,::1/128,fc00::/7,fe80::/10';

/**
 * Refused whatever the configuration says: cloud metadata services (they sit inside the default
 * link-local range) and the unspecified addresses (which connect to the local host).
 */
export const ALWAYS_REFUSED = ['169.254.169.254/32', '169.254.170.2/32', 'fd00:ec2::254/128', '0.0.0.0/8', '::/128'];

const stripZone = (ip: string) => ip.replace(/%.*$/, '');

/** Parses "10.0.0.0/8,::1/128,192.168.1.7" (a bare IP is a /32 or /128). Throws Error naming the bad entry. */
export function createAddressPolicy(ranges: string | readonly string[] = DEFAULT_ALLOWED_RANGES): AddressPolicy {
  const list = (typeof ranges === 'string' ? ranges.split(',') : [...ranges]).map((r) => r.trim()).filter(Boolean);
  const blockList = new BlockList();
  const refused = new BlockList();
  for (const range of ALWAYS_REFUSED) {
    const [net, prefix] = range.split('/');
    refused.addSubnet(net, Number(prefix), isIP(net) === 4 ? 'ipv4' : 'ipv6');
  }
  for (const range of list) {
    const [net, prefixText, extra] = range.split('/');
    const family = isIP(net);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max || !/^\d*$/.test(prefixText ?? '')) {
      throw new Error(`ONVIF allowed range "${range}" is not a CIDR like 192.168.0.0/16 or fe80::/10`);
    }
    blockList.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }

  const allows = (ip: string): boolean => {
    const bare = stripZone(ip);
    const family = isIP(bare);
    if (!family) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    return blockList.check(bare, type) && !refused.check(bare, type);
  };

  return {
    ranges: list,
    allows,
    async resolve(host, timeoutMs) {
      const bare = stripZone(host);
      if (isIP(bare)) {
        if (!allows(bare)) throw notAllowed(host);
        return bare;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AppError('CAMERA_TIMEOUT', `resolving ${host} took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const addresses = await Promise.race([
          lookup(host, { all: true, verbatim: true }).catch((cause: unknown) => {
            throw new AppError('CAMERA_UNREACHABLE', `host name ${host} does not resolve`, { cause });
          }),
          timeout,
        ]);
        if (addresses.length === 0) throw new AppError('CAMERA_UNREACHABLE', `host name ${host} does not resolve`);
        const refused = addresses.find((a) => !allows(a.address));
        if (refused) throw notAllowed(`${host} (${refused.address})`);
        return addresses[0].address;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function notAllowed(what: string) {
  return new AppError('ADDRESS_NOT_ALLOWED', `ip ${what} is outside the allowed ranges (ONVIF_ALLOWED_RANGES)`);
}

/**
 * Parses the `ip` field: "192.168.1.10", "192.168.1.10:8080", "[fe80::1]:8080", "fe80::1", "cam.lan",
 * "cam.lan:8080". Throws INVALID_FIELD naming `field` for anything else (schemes, paths, bad ports).
 */
export function parseHostPort(input: string, defaultPort: number, field = 'ip'): HostPort {
  const text = input.trim();
  const bad = (why: string) => new AppError('INVALID_FIELD', `${field} "${text.slice(0, 100)}" ${why}`);
  if (!text) throw bad('is empty');
  if (text.length > 255) throw bad('is too long');
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    [, host, portText] = bracketed;
    if (isIP(stripZone(host)) !== 6) throw bad('has brackets around something that is not an IPv6 address');
  } else if (isIP(stripZone(text)) === 6) {
    host = text;
  } else {
    const m = /^([^:/\s]+)(?::(\d+))?$/.exec(text);
    if (!m) throw bad('is not an address like 192.168.1.10, 192.168.1.10:8080 or [fe80::1]:8080');
    [, host, portText] = m;
    if (!isIP(host) && !/^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?)*\.?$/.test(host)) {
      throw bad('is neither an IP address nor a host name');
    }
  }
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('has a port outside 1-65535');
  return { host, port };
}

/** "host" for the default port, else "host:port" ("[v6]:port"): the form /QueryCameraRtsp accepts back. */
export function formatHostPort({ host, port }: HostPort, defaultPort = 80): string {
  const h = isIP(stripZone(host)) === 6 ? `[${host}]` : host;
  if (port === defaultPort) return isIP(stripZone(host)) === 6 ? host : h;
  return `${h}:${port}`;
}
