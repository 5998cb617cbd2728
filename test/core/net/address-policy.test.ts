import { describe, expect, it } from 'vitest';
import { ConfigError, parseHostEnv } from '../../../core/config.ts';
import { checkedRtspUrl, createAddressPolicy, DEFAULT_ALLOWED_RANGES, formatHostPort, parseHostPort } from '../../../core/net/index.ts';
import { createOnvifService } from '../../../core/onvif/index.ts';

const codeOf = async (p: Promise<unknown>) => p.then(() => 0, (e: { code?: number }) => e.code);

describe('address policy', () => {
  const policy = createAddressPolicy();

  it('allows private and link-local by default, IPv4 and IPv6', () => {
    for (const ip of ['10.1.2.3', '172.16.0.9', '172.31.255.255', '192.168.1.10', '169.254.3.4', 'fd00::5', 'fe80::1', '::ffff:192.168.1.2', '::ffff:c0a8:102']) {
      expect(policy.allows(ip), ip).toBe(true);
    }
  });

  it('refuses loopback (in any spelling), public, metadata-adjacent and unspecified addresses by default', () => {
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '8.8.8.8', '172.32.0.1', '100.64.0.1', '0.0.0.0', '::', '2001:db8::1', '::ffff:8.8.8.8', '255.255.255.255', 'not-an-ip']) {
      expect(policy.allows(ip), ip).toBe(false);
    }
  });

  it('refuses cloud metadata and unspecified addresses even when configured', () => {
    const wide = createAddressPolicy('0.0.0.0/0,::/0');
    expect(wide.allows('8.8.8.8')).toBe(true);
    for (const ip of ['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fd00:ec2::254', '169.254.170.2', '169.254.0.23', '100.100.100.200', '168.63.129.16', '0.0.0.0', '0.1.2.3', '::']) expect(wide.allows(ip), ip).toBe(false);
    expect(policy.allows('169.254.169.253')).toBe(true);
  });

  it('uses the configured ranges, bare IPs being single hosts', () => {
    const narrow = createAddressPolicy('192.168.7.0/24, 10.0.0.5');
    expect(narrow.allows('192.168.7.200')).toBe(true);
    expect(narrow.allows('192.168.8.1')).toBe(false);
    expect(narrow.allows('10.0.0.5')).toBe(true);
    expect(narrow.allows('10.0.0.6')).toBe(false);
    expect(narrow.allows('127.0.0.1')).toBe(false);
  });

  it('CAMERA_ALLOWED_RANGES defaults to private ranges; ONVIF_ALLOWED_RANGES, its former name, still counts when it is not set', () => {
    expect(parseHostEnv({}).CAMERA_ALLOWED_RANGES).toBe(DEFAULT_ALLOWED_RANGES);
    expect(parseHostEnv({ ONVIF_ALLOWED_RANGES: '10.0.0.0/8' }).CAMERA_ALLOWED_RANGES).toBe('10.0.0.0/8');
    expect(parseHostEnv({ ONVIF_ALLOWED_RANGES: '10.0.0.0/8', CAMERA_ALLOWED_RANGES: '192.168.0.0/16' }).CAMERA_ALLOWED_RANGES).toBe('192.168.0.0/16');
  });

  it('rejects a malformed range, naming it', () => {
    expect(() => createAddressPolicy('10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33/);
    expect(() => createAddressPolicy('10.0.0.0/8,banana')).toThrow(/banana/);
    expect(() => createAddressPolicy('10.0.0.0/8/1')).toThrow(/CIDR/);
  });

  // only 'localhost' (from /etc/hosts): a test must not send DNS queries off the machine
  it('a bad range or probe target in the config is a ConfigError naming the variable', () => {
    const cfg = { allowedRanges: '10.0.0.0/8', discoveryMs: 100, timeoutMs: 100 };
    expect(() => createOnvifService({ ...cfg, allowedRanges: '10.0.0.0/99' })).toThrow(ConfigError);
    expect(() => createOnvifService({ ...cfg, allowedRanges: '10.0.0.0/99' })).toThrow(/CAMERA_ALLOWED_RANGES.*10\.0\.0\.0\/99/);
    expect(() => createOnvifService({ ...cfg, discoveryTargets: '10.0.0.1:0' })).toThrow(/ONVIF_DISCOVERY_TARGETS/);
    expect(createOnvifService(cfg).policy.ranges).toEqual(['10.0.0.0/8']);
  });

  it('resolves names and requires every address to be allowed', async () => {
    const loopback = createAddressPolicy('127.0.0.0/8,::1/128');
    expect(await loopback.resolve('localhost', 2000)).toMatch(/^(127\.|::1$)/);
    expect(await codeOf(policy.resolve('8.8.4.4', 2000))).toBe(2016);
    expect(await codeOf(policy.resolve('localhost', 2000))).toBe(2016);
    expect(await codeOf(createAddressPolicy('10.0.0.0/8').resolve('localhost', 2000))).toBe(2016);
  });

  it('lookup (for sockets and HTTP agents) fails a connection to a name outside the ranges', async () => {
    const lookup = (p: ReturnType<typeof createAddressPolicy>, all: boolean) => new Promise<unknown>((resolve, reject) => {
      p.lookup('localhost', { all }, (err, address) => (err ? reject(err) : resolve(address)));
    });
    expect(await codeOf(lookup(policy, false))).toBe(2016);
    expect(await lookup(createAddressPolicy('127.0.0.0/8,::1/128'), false)).toMatch(/^(127\.|::1$)/);
  });

  it('an rtsp:// URL is given with its checked IP in place of the name; rtsps:// keeps the name', async () => {
    const loopback = createAddressPolicy('127.0.0.0/8');
    expect(await checkedRtspUrl('rtsp://u:p@localhost:8554/cam', loopback, 2000)).toBe('rtsp://u:p@127.0.0.1:8554/cam');
    expect(await checkedRtspUrl('rtsps://localhost:8554/cam', loopback, 2000)).toBe('rtsps://localhost:8554/cam');
    for (const url of ['rtsp://0.0.0.0/x', 'rtsp://[::ffff:127.0.0.1]/x', 'rtsp://169.254.169.254/', 'rtsp://localhost/x']) {
      expect(await codeOf(checkedRtspUrl(url, policy, 2000)), url).toBe(2016);
    }
  });

  it('parses ip fields and names the field when bad', () => {
    expect(parseHostPort('192.168.1.10', 80)).toEqual({ host: '192.168.1.10', port: 80 });
    expect(parseHostPort(' 192.168.1.10:8080 ', 80)).toEqual({ host: '192.168.1.10', port: 8080 });
    expect(parseHostPort('[fe80::1]:8000', 80)).toEqual({ host: 'fe80::1', port: 8000 });
    expect(parseHostPort('fe80::1', 80)).toEqual({ host: 'fe80::1', port: 80 });
    expect(parseHostPort('cam-1.lan:81', 80)).toEqual({ host: 'cam-1.lan', port: 81 });
    for (const bad of ['', 'http://1.2.3.4/', '1.2.3.4:0', '1.2.3.4:70000', '1.2.3.4:x', '[1.2.3.4]:80', 'a b', 'cam/../x', 'x'.repeat(300)]) {
      let err: { code?: number; message?: string } = {};
      try {
        parseHostPort(bad, 80);
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code, bad).toBe(2002);
      expect(err.message, bad).toMatch(/^ip /);
    }
  });

  it('formats back to what it parses', () => {
    expect(formatHostPort({ host: '10.0.0.1', port: 80 })).toBe('10.0.0.1');
    expect(formatHostPort({ host: '10.0.0.1', port: 8080 })).toBe('10.0.0.1:8080');
    expect(formatHostPort({ host: 'fe80::1', port: 8080 })).toBe('[fe80::1]:8080');
    expect(parseHostPort(formatHostPort({ host: 'fe80::1', port: 80 }), 80)).toEqual({ host: 'fe80::1', port: 80 });
  });
});
