/**
 * ONVIF WS-Discovery: one SOAP Probe for NetworkVideoTransmitter, sent over UDP to the multicast group
 * 239.255.255.250:3702 (or to given unicast address:port pairs: same code, used where multicast is not
 * routed and by tests that cannot use multicast), then ProbeMatches collected for a bounded window.
 * Devices are listed once per endpoint reference; the manufacturer comes from the scopes or, when the
 * scopes do not say, from GetDeviceInformation on the device's XAddr (bounded, allowed ranges only).
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { AppError } from '../errors.ts';
import { formatHostPort, type AddressPolicy } from '../net/address-policy.ts';
import { getDeviceInformation, openDevice } from './device-client.ts';
import { first, parseEnvelope, text, type Xml } from './soap.ts';

export const WS_DISCOVERY_GROUP = '239.255.255.250';
export const WS_DISCOVERY_PORT = 3702;
/** Stop listening after this many distinct devices: a flood of answers must not grow without bound. */
export const MAX_DEVICES = 1024;
const MAX_DATAGRAM = 64 * 1024;

export interface ProbeTarget {
  address: string;
  port: number;
}

export interface DiscoveryOptions {
  /** how long to collect ProbeMatches */
  windowMs: number;
  /** where to send the Probe; default the multicast group */
  targets?: ProbeTarget[];
  /** local IPv4 address of the interface to send multicast from (default: the system's choice) */
  multicastInterface?: string;
  /** for the GetDeviceInformation fallback; without it no request is sent to the devices */
  policy?: AddressPolicy;
  /** bound for each GetDeviceInformation step */
  timeoutMs?: number;
}

export interface DiscoveredDevice {
  /** "host" when the device service is on port 80, else "host:port": what /QueryCameraRtsp accepts */
  ip: string;
  manufacturer: string;
  /** endpoint reference address (urn:uuid:...) used to dedupe */
  endpoint: string;
  xaddrs: string[];
  scopes: string[];
}

/** "192.168.1.20:3702,239.255.255.250" → targets (port 3702 when absent). */
export function parseProbeTargets(list: string): ProbeTarget[] {
  return list
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const m = /^([^:]+)(?::(\d+))?$/.exec(t);
      const address = m?.[1];
      const port = m?.[2] === undefined ? WS_DISCOVERY_PORT : Number(m[2]);
      if (!address || isIP(address) !== 4 || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`ONVIF discovery target "${t}" is not an IPv4 address with an optional :port`);
      }
      return { address, port };
    });
}

export function buildProbe(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<s:Header>' +
    `<a:MessageID>${messageId}</a:MessageID>` +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    '</s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>' +
    '</s:Envelope>'
  );
}

/** Manufacturer from onvif://www.onvif.org/name/... (preferred) or .../hardware/... scopes, URL-decoded. */
export function manufacturerFromScopes(scopes: string[]): string {
  for (const kind of ['manufacturer', 'name', 'hardware']) {
    const prefix = `onvif://www.onvif.org/${kind}/`;
    const scope = scopes.find((s) => s.toLowerCase().startsWith(prefix));
    if (scope) {
      const raw = scope.slice(prefix.length).replace(/\/+$/, '');
      let value: string;
      try {
        value = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        value = raw;
      }
      if (value.trim()) return value.trim().slice(0, 128);
    }
  }
  return '';
}

interface Match {
  endpoint: string;
  xaddrs: string[];
  scopes: string[];
  from: string;
}

/** ProbeMatch entries of one datagram that answers our MessageID; [] for anything else. */
export async function parseProbeMatches(xml: string, messageId: string, from: string): Promise<Match[]> {
  const env = await parseEnvelope(xml);
  if (!env || env.fault) return [];
  const matches = first(env.body, 'probeMatches');
  if (!matches) return [];
  // RelatesTo lives in the header, which parseEnvelope does not keep: read it from the text.
  const relates = /<(?:[\w-]+:)?RelatesTo[^>]*>\s*([^<\s]+)\s*</.exec(xml)?.[1];
  if (relates && relates !== messageId) return [];
  const list: Xml[] = Array.isArray(matches.probeMatch) ? matches.probeMatch : [];
  return list.map((m) => {
    const xaddrs = text(first(m, 'XAddrs')).split(/\s+/).filter(Boolean);
    return {
      endpoint: text(first(m, 'endpointReference', 'address')).trim() || xaddrs[0] || from,
      xaddrs,
      scopes: text(first(m, 'scopes')).split(/\s+/).filter(Boolean),
      from,
    };
  });
}

/** The device's address as /QueryCameraRtsp takes it: the XAddr on the sender's IP, else the first XAddr. */
function deviceAddress(m: Match): { ip: string; xaddr?: URL } {
  const urls = m.xaddrs.flatMap((x) => {
    try {
      const u = new URL(x);
      return u.protocol === 'http:' ? [u] : [];
    } catch {
      return [];
    }
  });
  const bare = (h: string) => h.replace(/^\[|\]$/g, '');
  const xaddr = urls.find((u) => bare(u.hostname) === m.from) ?? urls[0];
  if (!xaddr) return { ip: m.from };
  return { ip: formatHostPort({ host: bare(xaddr.hostname), port: Number(xaddr.port || 80) }), xaddr };
}

/** Sends the Probe and collects answers for `windowMs`. Throws DISCOVERY_FAILED when the socket cannot be used. */
export async function discover(opts: DiscoveryOptions): Promise<DiscoveredDevice[]> {
  const targets = opts.targets?.length ? opts.targets : [{ address: WS_DISCOVERY_GROUP, port: WS_DISCOVERY_PORT }];
  const messageId = `urn:uuid:${randomUUID()}`;
  const probe = Buffer.from(buildProbe(messageId), 'utf8');
  const matches = new Map<string, Match>();
  const pending: Promise<void>[] = [];

  const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, opts.multicastInterface, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => {
      /* a late ICMP error for one target must not end the window */
    });
    socket.on('message', (msg, rinfo) => {
      if (msg.length > MAX_DATAGRAM || matches.size >= MAX_DEVICES) return;
      pending.push(
        parseProbeMatches(msg.toString('utf8'), messageId, rinfo.address).then((found) => {
          for (const m of found) if (!matches.has(m.endpoint) && matches.size < MAX_DEVICES) matches.set(m.endpoint, m);
        }),
      );
    });
    if (targets.some((t) => t.address === WS_DISCOVERY_GROUP)) {
      socket.setMulticastTTL(1);
      socket.setMulticastLoopback(true);
      if (opts.multicastInterface) socket.setMulticastInterface(opts.multicastInterface);
    }
    await Promise.all(targets.map((t) => send(socket, probe, t)));
    await new Promise((r) => setTimeout(r, opts.windowMs));
  } catch (cause) {
    throw new AppError('DISCOVERY_FAILED', `WS-Discovery probe could not be sent: ${(cause as Error).message}`, { cause });
  } finally {
    socket.close();
  }
  await Promise.all(pending);

  const devices = [...matches.values()].map((m) => {
    const { ip, xaddr } = deviceAddress(m);
    return { ip, manufacturer: manufacturerFromScopes(m.scopes), endpoint: m.endpoint, xaddrs: m.xaddrs, scopes: m.scopes, xaddr };
  });
  await fillManufacturers(devices, opts);
  return devices.map(({ xaddr: _xaddr, ...d }) => d);
}

function send(socket: Socket, probe: Buffer, t: ProbeTarget) {
  return new Promise<void>((resolve, reject) => socket.send(probe, t.port, t.address, (err) => (err ? reject(err) : resolve())));
}

/** At most this many GetDeviceInformation requests at a time. */
const INFO_CONCURRENCY = 16;

/**
 * GetDeviceInformation for devices whose scopes name no manufacturer. The whole phase ends after
 * `timeoutMs`; a device outside the allowed ranges, wanting a password or silent stays without one.
 */
async function fillManufacturers(devices: (DiscoveredDevice & { xaddr?: URL })[], opts: DiscoveryOptions) {
  const { policy, timeoutMs } = opts;
  if (!policy || !timeoutMs) return;
  const queue = devices.filter((d) => !d.manufacturer && d.xaddr);
  let stopped = false;
  const worker = async () => {
    for (let d = queue.shift(); d && !stopped; d = queue.shift()) {
      try {
        const s = await openDevice(d.ip, { policy, timeoutMs }, undefined, d.xaddr!.pathname || undefined);
        const { manufacturer } = await getDeviceInformation(s);
        if (!stopped) d.manufacturer = manufacturer.slice(0, 128);
      } catch {
        // listed without a manufacturer
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(Array.from({ length: Math.min(INFO_CONCURRENCY, queue.length) }, worker)),
    new Promise((r) => (timer = setTimeout(r, timeoutMs))),
  ]);
  stopped = true;
  clearTimeout(timer);
}
