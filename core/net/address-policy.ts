/**
 * Which addresses the server may contact on a user's behalf: ONVIF (/QueryCameraRtsp connects to
 * whatever `ip` a user types), camera RTSP hosts (checked at AddCamera/UpdateCamera and again each
 * time a stream node connects: DNS may have changed), a StorageServer set through the API and, later,
 * webhook receivers. Without it the server can be used to probe or reach hosts the user cannot
 * (cloud metadata endpoints, the host's own loopback services, the internet, other tenants).
 *
 * An allow-list of CIDRs per purpose (CAMERA_ALLOWED_RANGES, STORAGE_ALLOWED_RANGES); loopback is
 * not in the default, and cloud metadata addresses are refused whatever the list says. Hostnames
 * are resolved first and all their addresses must be allowed; callers then connect to the checked
 * IP (`resolve`), or hand `lookup` to the socket so every connection is checked as it is made.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it is.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError, type ErrorName } from '../errors.ts';

export interface HostPort {
  /** hostname or IP literal as typed, without brackets or IPv6 zone */
  host: string;
  port: number;
}

export interface AddressPolicy {
  readonly ranges: readonly string[];
  /** true when this IP literal lies in an allowed range (and is not always refused) */
  allows(ip: string): boolean;
  /**
   * Resolves `host` (an IP literal or a name) and returns the IP to connect to; throws
   * ADDRESS_NOT_ALLOWED when any resolved address is outside the ranges, `errors.unreachable`
   * (default CAMERA_UNREACHABLE) when the name does not resolve, `errors.timeout` (CAMERA_TIMEOUT)
   * when resolution takes longer than `timeoutMs`.
   */
  resolve(host: string, timeoutMs: number, errors?: ResolveErrors): Promise<string>;
  /** a dns.lookup for sockets and HTTP agents: fails the connection when an address is not allowed */
  readonly lookup: LookupFunction;
}

export type ResolveErrors = { unreachable: ErrorName; timeout: ErrorName };

/** Default: private (RFC 1918, ULA) and link-local; not loopback (a one-box site adds 127.0.0.1/32). */
export const DEFAULT_ALLOWED_RANGES = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,fc00::/7,fe80::/10';

/**
 * Refused whatever the configuration says: cloud metadata services (most sit inside the default
 * link-local range: AWS/GCP/Azure/Huawei/Oracle 169.254.169.254, AWS ECS 169.254.170.2, Tencent
 * 169.254.0.23, Alibaba 100.100.100.200, Azure's wire server 168.63.129.16, AWS IPv6 fd00:ec2::254)
 * and the unspecified addresses (which connect to the local host).
 */
export const ALWAYS_REFUSED = [
  '169.254.169.254/32', '169.254.170.2/32', '169.254.0.23/32', '100.100.100.200/32', '168.63.129.16/32', 'fd00:ec2::254/128',
  '0.0.0.0/8', '::/128',
];

const stripZone = (ip: string) => ip.replace(/%.*$/, '');
/** ::ffff:127.0.0.1 and ::ffff:7f00:1 are 127.0.0.1 */
function unmap(ip: string): string {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return ip;
  if (m[1]) return m[1];
  const hi = parseInt(m[2], 16), lo = parseInt(m[3], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * Parses "10.0.0.0/8,::1/128,192.168.1.7" (a bare IP is a /32 or /128). Throws Error naming the bad
 * entry. `variable` names the setting in messages (ADDRESS_NOT_ALLOWED says where to widen it).
 */
export function createAddressPolicy(ranges: string | readonly string[] = DEFAULT_ALLOWED_RANGES, variable = 'CAMERA_ALLOWED_RANGES'): AddressPolicy {
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
      throw new Error(`allowed range "${range}" is not a CIDR like 192.168.0.0/16 or fe80::/10`);
    }
    blockList.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }

  const allows = (ip: string): boolean => {
    const bare = unmap(stripZone(ip));
    const family = isIP(bare);
    if (!family) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    return blockList.check(bare, type) && !refused.check(bare, type);
  };

  const notAllowed = (what: string) => new AppError('ADDRESS_NOT_ALLOWED', `address ${what} is outside the allowed ranges (${variable})`);

  return {
    ranges: list,
    allows,
    async resolve(host, timeoutMs, errors = { unreachable: 'CAMERA_UNREACHABLE', timeout: 'CAMERA_TIMEOUT' }) {
      const bare = stripZone(host);
      if (isIP(bare)) {
        if (!allows(bare)) throw notAllowed(host);
        return bare;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AppError(errors.timeout, `resolving ${host} took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const addresses = await Promise.race([
          lookup(host, { all: true, verbatim: true }).catch((cause: unknown) => {
            throw new AppError(errors.unreachable, `host name ${host} does not resolve`, { cause });
          }),
          timeout,
        ]);
        if (addresses.length === 0) throw new AppError(errors.unreachable, `host name ${host} does not resolve`);
        const refused = addresses.find((a) => !allows(a.address));
        if (refused) throw notAllowed(`${host} (${refused.address})`);
        return addresses[0].address;
      } finally {
        clearTimeout(timer);
      }
    },
    lookup: ((hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, []);
        const refused = addresses.find((a) => !allows(a.address));
        if (refused) return callback(notAllowed(`${hostname} (${refused.address})`), []);
        if ((options as { all?: boolean }).all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    }) as LookupFunction,
  };
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
