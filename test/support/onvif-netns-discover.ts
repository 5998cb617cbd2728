/**
 * Run inside a network namespace by test/core/onvif/netns.test.ts: starts simulated cameras whose
 * WS-Discovery responders join 239.255.255.250 on the namespace's loopback, sends the real multicast
 * Probe through discover() and prints what it found as one JSON line. Never run on the host's own
 * interfaces: the test spawns it with `ip netns exec`.
 */
import { discover, createAddressPolicy } from '../../core/onvif/index.ts';
import { startOnvifSim } from './onvif-sim.ts';

const multicast = { mode: 'multicast' as const, interfaceAddress: '127.0.0.1' };
const sims = await Promise.all([
  startOnvifSim({ manufacturer: 'Acme Vision', discovery: multicast }),
  startOnvifSim({ manufacturer: 'Hidden Maker', scopesNameManufacturer: false, discovery: multicast }),
  startOnvifSim({ manufacturer: 'Echo', answerTwice: true, discovery: multicast }),
]);
try {
  const found = await discover({ windowMs: 800, multicastInterface: '127.0.0.1', policy: createAddressPolicy('127.0.0.0/8'), timeoutMs: 1500 });
  const result = {
    sims: sims.map((s) => ({ ip: s.ip, probes: s.probes })),
    found: found.map((d) => ({ ip: d.ip, manufacturer: d.manufacturer })),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await Promise.all(sims.map((s) => s.close()));
}
