import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, createAddressPolicy, discover, manufacturerFromScopes, parseProbeTargets } from '../../../core/onvif/index.ts';
import { startOnvifSim, type OnvifSim } from '../../support/onvif-sim.ts';

// The unicast probe path: the same discover() as multicast, with the Probe sent to each simulator's
// UDP port on loopback instead of 239.255.255.250 (the multicast case runs in test/core/onvif/netns.test.ts).
describe('WS-Discovery over unicast (loopback)', () => {
  const sims: OnvifSim[] = [];
  let hik: OnvifSim, noScopes: OnvifSim, twice: OnvifSim;

  beforeAll(async () => {
    hik = await startOnvifSim({ manufacturer: 'Acme Vision', model: 'AV 2000' });
    noScopes = await startOnvifSim({ manufacturer: 'Hidden Maker', scopesNameManufacturer: false });
    twice = await startOnvifSim({ manufacturer: 'Echo', answerTwice: true });
    sims.push(hik, noScopes, twice);
  });
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  const targets = (...s: OnvifSim[]) => s.map((x) => ({ address: '127.0.0.1', port: x.udpPort }));

  it('finds two devices with their manufacturers (scopes, URL-decoded, or GetDeviceInformation)', async () => {
    const found = await discover({ windowMs: 400, targets: targets(hik, noScopes), policy: createAddressPolicy('127.0.0.0/8'), timeoutMs: 1000 });
    const byIp = Object.fromEntries(found.map((d) => [d.ip, d.manufacturer]));
    expect(byIp).toEqual({ [hik.ip]: 'Acme Vision', [noScopes.ip]: 'Hidden Maker' });
    expect(noScopes.actions).toContain('GetDeviceInformation');
    expect(hik.actions).not.toContain('GetDeviceInformation');
  });

  it('lists a device that answers twice once', async () => {
    const found = await discover({ windowMs: 400, targets: targets(twice, twice) });
    expect(twice.probes).toBeGreaterThanOrEqual(2);
    expect(found.map((d) => [d.ip, d.manufacturer, d.endpoint])).toEqual([[twice.ip, 'Echo', twice.endpoint]]);
  });

  it('asks no device for information outside the allowed ranges', async () => {
    const before = noScopes.actions.length;
    const found = await discover({ windowMs: 300, targets: targets(noScopes), policy: createAddressPolicy('10.0.0.0/8'), timeoutMs: 500 });
    expect(found).toEqual([expect.objectContaining({ ip: noScopes.ip, manufacturer: '' })]);
    expect(noScopes.actions.length).toBe(before);
  });

  it('ignores answers to other probes, faults and garbage, and ends after the window', async () => {
    const liar = createSocket('udp4');
    await new Promise<void>((r) => liar.bind(0, '127.0.0.1', r));
    liar.on('message', (_m, rinfo) => {
      for (const junk of ['garbage', '<x/>', buildProbe('urn:uuid:other'), '<s:Envelope xmlns:s="x"><s:Body><s:Fault/></s:Body></s:Envelope>']) {
        liar.send(junk, rinfo.port, rinfo.address);
      }
      // a well-formed ProbeMatches relating to someone else's probe
      liar.send(
        '<e:Envelope xmlns:e="s" xmlns:a="a" xmlns:d="d"><e:Header><a:RelatesTo>urn:uuid:not-yours</a:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch>' +
          '<a:EndpointReference><a:Address>urn:uuid:x</a:Address></a:EndpointReference><d:XAddrs>http://127.0.0.9/onvif/device_service</d:XAddrs>' +
          '</d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>',
        rinfo.port,
        rinfo.address,
      );
    });
    const t0 = Date.now();
    const found = await discover({ windowMs: 300, targets: [{ address: '127.0.0.1', port: liar.address().port }] });
    liar.close();
    expect(found).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('an unusable socket target gives 5106 DISCOVERY_FAILED', async () => {
    await expect(discover({ windowMs: 100, targets: [{ address: '::1', port: 3702 }] })).rejects.toMatchObject({ code: 5106 });
  });
});

describe('discovery helpers', () => {
  it('reads the manufacturer from name, then hardware scopes', () => {
    expect(manufacturerFromScopes(['onvif://www.onvif.org/hardware/DS-2CD', 'onvif://www.onvif.org/name/HIKVISION%20Co'])).toBe('HIKVISION Co');
    expect(manufacturerFromScopes(['onvif://www.onvif.org/hardware/IPC-HDW'])).toBe('IPC-HDW');
    expect(manufacturerFromScopes(['onvif://www.onvif.org/name/%E0%A4'])).toBe('%E0%A4');
    expect(manufacturerFromScopes(['onvif://www.onvif.org/type/video_encoder'])).toBe('');
  });

  it('parses probe targets and rejects bad ones by name', () => {
    expect(parseProbeTargets('192.168.1.20, 10.0.0.1:4000')).toEqual([
      { address: '192.168.1.20', port: 3702 },
      { address: '10.0.0.1', port: 4000 },
    ]);
    expect(() => parseProbeTargets('cam.lan')).toThrow(/cam\.lan/);
    expect(() => parseProbeTargets('10.0.0.1:99999')).toThrow(/99999/);
  });
});
