// Table tests of the proxy's pure parts: endpoint selection, packet flows through the planned table, golden
// rule sets, and the diff. Regenerate the golden files with CLUSTERIP_UPDATE_GOLDEN=1 and read the diff.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { endpointsFor, serviceFromApi, sliceFromApi } from './model.ts';
import type { ServiceInfo, SliceInfo } from './model.ts';
import { Planner, deltaScript, diffScript, fullScript, plan, slicesByService } from './plan.ts';
import type { ProxyConfig } from './plan.ts';
import { makeService, makeSlice } from './testing.ts';
import { type Packet, tracePacket } from './trace.ts';
import type { EndpointSlice, Service } from '../api/index.ts';

const config: ProxyConfig = { nodeName: 'node-a', clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'] };

function build(services: Service[], slices: EndpointSlice[]) {
  const svcs = services.map(serviceFromApi).filter((s): s is ServiceInfo => s !== undefined);
  const sls = slices.map(sliceFromApi).filter((s): s is SliceInfo => s !== undefined);
  return plan({ services: svcs, slices: sls }, config);
}

describe('endpoint selection', () => {
  const svc = serviceFromApi(makeService({ name: 'web', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', port: 80 }] }));
  assert.ok(svc);
  const port = svc.ports[0];
  assert.ok(port);
  const local = serviceFromApi(
    makeService({ name: 'web', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', port: 80 }], internalLocal: true }),
  );
  assert.ok(local);
  const cases: { name: string; service?: ServiceInfo; endpoints: Parameters<typeof makeSlice>[0]['endpoints'][]; want: string[] }[] = [
    { name: 'ready only', endpoints: [[{ ip: '10.244.1.2' }, { ip: '10.244.1.3', ready: false, serving: false }]], want: ['10.244.1.2:8080'] },
    {
      name: 'serving terminating when none ready',
      endpoints: [[{ ip: '10.244.1.2', ready: false, serving: true, terminating: true }, { ip: '10.244.1.3', ready: false, serving: false, terminating: true }]],
      want: ['10.244.1.2:8080'],
    },
    {
      name: 'terminating ignored when some ready',
      endpoints: [[{ ip: '10.244.1.2', ready: false, serving: true, terminating: true }, { ip: '10.244.1.9' }]],
      want: ['10.244.1.9:8080'],
    },
    { name: 'dedupe across slices, sorted', endpoints: [[{ ip: '10.244.1.10' }, { ip: '10.244.1.2' }], [{ ip: '10.244.1.2' }]], want: ['10.244.1.2:8080', '10.244.1.10:8080'] },
    {
      name: 'dedupe prefers ready copy',
      endpoints: [[{ ip: '10.244.1.2', ready: false, serving: false }], [{ ip: '10.244.1.2' }]],
      want: ['10.244.1.2:8080'],
    },
    {
      name: 'internalTrafficPolicy Local keeps this node',
      service: local,
      endpoints: [[{ ip: '10.244.1.2', node: 'node-a' }, { ip: '10.244.2.2', node: 'node-b' }]],
      want: ['10.244.1.2:8080'],
    },
    { name: 'internalTrafficPolicy Local none here', service: local, endpoints: [[{ ip: '10.244.2.2', node: 'node-b' }]], want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const slices = c.endpoints.map((eps, i) =>
        sliceFromApi(makeSlice({ name: `web-${i}`, service: 'web', ports: [{ name: 'http', port: 8080 }], endpoints: eps })),
      ) as SliceInfo[];
      const got = endpointsFor(c.service ?? svc, port, 4, slices, 'node-a').map((b) => `${b.ip}:${b.port}`);
      assert.deepEqual(got, c.want);
    });
  }
  test('named port resolves per slice', () => {
    const slices = [
      sliceFromApi(makeSlice({ name: 'a', service: 'web', ports: [{ name: 'http', port: 8080 }], endpoints: [{ ip: '10.244.1.2' }] })),
      sliceFromApi(makeSlice({ name: 'b', service: 'web', ports: [{ name: 'http', port: 9090 }], endpoints: [{ ip: '10.244.1.3' }] })),
      sliceFromApi(makeSlice({ name: 'c', service: 'web', ports: [{ name: 'other', port: 7070 }], endpoints: [{ ip: '10.244.1.4' }] })),
    ] as SliceInfo[];
    assert.deepEqual(
      endpointsFor(svc, port, 4, slices, 'node-a').map((b) => `${b.ip}:${b.port}`),
      ['10.244.1.2:8080', '10.244.1.3:9090'],
    );
  });
  test('headless and ExternalName services are skipped', () => {
    assert.equal(serviceFromApi(makeService({ name: 'h', clusterIPs: ['None'], ports: [{ port: 80 }] })), undefined);
    const ext = makeService({ name: 'e', clusterIPs: [], ports: [] });
    ext.spec.type = 'ExternalName';
    assert.equal(serviceFromApi(ext), undefined);
  });
});

// The cluster the packet-flow and golden tests use.
function scenario() {
  const services = [
    makeService({ name: 'web', clusterIPs: ['10.96.0.10', 'fd00:96::10'], ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
    makeService({ name: 'empty', clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] }),
    makeService({ name: 'sticky', clusterIPs: ['10.96.0.12'], ports: [{ port: 443 }], affinitySeconds: 600 }),
    makeService({ name: 'local', clusterIPs: ['10.96.0.13'], ports: [{ port: 80 }], internalLocal: true }),
    makeService({ name: 'sctp', clusterIPs: ['10.96.0.14'], ports: [{ port: 9999, protocol: 'SCTP' }] }),
  ];
  const slices = [
    makeSlice({
      name: 'web-v4',
      service: 'web',
      ports: [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }],
      endpoints: [{ ip: '10.244.1.2' }, { ip: '10.244.2.3', node: 'node-b' }, { ip: '10.244.1.4', ready: false, serving: false }],
    }),
    makeSlice({ name: 'web-v6', service: 'web', family: 6, ports: [{ name: 'http', port: 8080 }], endpoints: [{ ip: 'fd00:10:244:1::2' }] }),
    makeSlice({ name: 'sticky', service: 'sticky', ports: [{ port: 8443 }], endpoints: [{ ip: '10.244.1.5' }, { ip: '10.244.1.6' }] }),
    makeSlice({ name: 'local', service: 'local', ports: [{ port: 80 }], endpoints: [{ ip: '10.244.2.7', node: 'node-b' }] }),
    makeSlice({ name: 'sctp', service: 'sctp', ports: [{ port: 9999, protocol: 'SCTP' }], endpoints: [{ ip: '10.244.1.8' }] }),
  ];
  return { services, slices };
}

describe('packet flows', () => {
  const { services, slices } = scenario();
  const { state } = build(services, slices);
  const flows: { name: string; packet: Packet; result: string; masq: boolean }[] = [
    { name: 'pod to service', packet: { src: '10.244.1.9', dst: '10.96.0.10', protocol: 'TCP', port: 80 }, result: '10.244.1.2:8080, 10.244.2.3:8080', masq: false },
    { name: 'udp port of same VIP', packet: { src: '10.244.1.9', dst: '10.96.0.10', protocol: 'UDP', port: 53 }, result: '10.244.1.2:5353, 10.244.2.3:5353', masq: false },
    { name: 'ipv6 VIP', packet: { src: 'fd00:10:244:1::9', dst: 'fd00:96::10', protocol: 'TCP', port: 80 }, result: '[fd00:10:244:1::2]:8080', masq: false },
    { name: 'ipv6 port with no v6 endpoints rejects', packet: { src: 'fd00:10:244:1::9', dst: 'fd00:96::10', protocol: 'UDP', port: 53 }, result: 'REJECT', masq: false },
    { name: 'off-cluster source masqueraded', packet: { src: '192.168.0.5', dst: '10.96.0.10', protocol: 'TCP', port: 80 }, result: '10.244.1.2:8080, 10.244.2.3:8080', masq: true },
    { name: 'no endpoints rejects', packet: { src: '10.244.1.9', dst: '10.96.0.11', protocol: 'TCP', port: 80 }, result: 'REJECT', masq: false },
    { name: 'unknown port on VIP rejects', packet: { src: '10.244.1.9', dst: '10.96.0.10', protocol: 'TCP', port: 81 }, result: 'REJECT', masq: false },
    { name: 'wrong protocol on VIP rejects', packet: { src: '10.244.1.9', dst: '10.96.0.11', protocol: 'UDP', port: 80 }, result: 'REJECT', masq: false },
    { name: 'affinity service', packet: { src: '10.244.1.9', dst: '10.96.0.12', protocol: 'TCP', port: 443 }, result: '10.244.1.5:8443, 10.244.1.6:8443', masq: false },
    { name: 'ITP Local, endpoints only elsewhere, drops', packet: { src: '10.244.1.9', dst: '10.96.0.13', protocol: 'TCP', port: 80 }, result: 'DROP', masq: false },
    { name: 'sctp', packet: { src: '10.244.1.9', dst: '10.96.0.14', protocol: 'SCTP', port: 9999 }, result: '10.244.1.8:9999', masq: false },
    { name: 'hairpin', packet: { src: '10.244.1.8', dst: '10.96.0.14', protocol: 'SCTP', port: 9999 }, result: '10.244.1.8:9999', masq: true },
    { name: 'not a service', packet: { src: '10.244.1.9', dst: '10.244.2.3', protocol: 'TCP', port: 8080 }, result: 'PASS', masq: false },
  ];
  for (const f of flows) {
    test(f.name, () => {
      const got = tracePacket(state, config, f.packet);
      assert.deepEqual({ result: got.result, masq: got.masquerade }, { result: f.result, masq: f.masq });
    });
  }
  test('an endpoint turning unready leaves rotation', () => {
    const changed = structuredClone(slices);
    const first = changed[0]?.endpoints?.[0];
    assert.ok(first?.conditions);
    first.conditions.ready = false;
    first.conditions.serving = false;
    const next = build(services, changed).state;
    const got = tracePacket(next, config, { src: '10.244.1.9', dst: '10.96.0.10', protocol: 'TCP', port: 80 });
    assert.equal(got.result, '10.244.2.3:8080');
  });
});

const goldenDir = path.join(import.meta.dirname, 'testdata');
function golden(name: string, text: string) {
  const file = path.join(goldenDir, name);
  if (process.env.CLUSTERIP_UPDATE_GOLDEN) {
    fs.mkdirSync(goldenDir, { recursive: true });
    fs.writeFileSync(file, text);
  }
  assert.equal(text, fs.readFileSync(file, 'utf8'), `golden ${name} differs (CLUSTERIP_UPDATE_GOLDEN=1 rewrites it)`);
}

/** Canonical form for comparison: statement lines sorted inside each element statement. */
function canonical(script: string): string {
  return script
    .split('\n')
    .map((line) => {
      const m = /^(add|delete) element (\S+ \S+ \S+) \{ (.*) \}$/.exec(line);
      if (!m) return line;
      return `${m[1]} element ${m[2]} { ${(m[3] ?? '').split(', ').sort().join(', ')} }`;
    })
    .join('\n');
}

describe('golden rule sets', () => {
  test('full sync of the scenario', () => {
    const { services, slices } = scenario();
    golden('full-scenario.nft', canonical(fullScript(build(services, slices).state)));
  });
  test('diff: one endpoint removed, one service added, one deleted', () => {
    const { services, slices } = scenario();
    const before = build(services, slices).state;
    const changedSlices = structuredClone(slices);
    changedSlices[2] = makeSlice({ name: 'sticky', service: 'sticky', ports: [{ port: 8443 }], endpoints: [{ ip: '10.244.1.5' }] });
    const changedServices = services.filter((s) => s.metadata.name !== 'sctp');
    changedServices.push(makeService({ name: 'new', clusterIPs: ['10.96.0.20'], ports: [{ port: 80 }] }));
    const after = build(changedServices, changedSlices).state;
    golden('diff-scenario.nft', canonical(diffScript(before, after)));
  });
  test('no change, no script', () => {
    const { services, slices } = scenario();
    assert.equal(diffScript(build(services, slices).state, build(services, slices).state), '');
  });
});

describe('incremental planner', () => {
  test('after any sequence of changes it equals a plan from scratch, and its deltas replay to it', () => {
    // A deterministic pseudo-random walk over services and slices sharing endpoints.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 16) % n;
    };
    const services = new Map<string, ServiceInfo>();
    const slices = new Map<string, SliceInfo>();
    const planner = new Planner(config);
    // The "kernel": a state the deltas are replayed onto.
    let replayed = plan({ services: [], slices: [] }, config).state;
    for (let step = 0; step < 300; step++) {
      const i = rand(12);
      const id = `default/s${i}`;
      const kind = rand(4);
      if (kind === 0) services.delete(id);
      else if (kind === 1) {
        const svc = serviceFromApi(
          makeService({ name: `s${i}`, clusterIPs: [`10.96.0.${i}`], ports: [{ name: 'p', port: 80, protocol: rand(2) ? 'TCP' : 'UDP' }], affinitySeconds: rand(3) === 0 ? 60 : 0 }),
        );
        assert.ok(svc);
        services.set(id, svc);
      } else {
        const eps = Array.from({ length: rand(4) }, () => ({ ip: `10.244.1.${rand(6) + 2}`, ready: rand(5) !== 0 }));
        const slice = sliceFromApi(makeSlice({ name: `s${i}-x`, service: `s${i}`, ports: [{ name: 'p', port: 8080, protocol: 'TCP' }, { name: 'p', port: 8080, protocol: 'UDP' }], endpoints: eps }));
        assert.ok(slice);
        slices.set(slice.id, slice);
      }
      const bySvc = slicesByService(slices.values());
      const delta = planner.update(services, (sid) => bySvc.get(sid) ?? [], [id]);
      const scratch = plan({ services: services.values(), slices: slices.values() }, config).state;
      assert.deepEqual(planner.state(), scratch, `step ${step}`);
      // The delta's script must be exactly what a diff of the two whole states says, modulo order.
      const sortLines = (text: string) => canonical(text).split('\n').sort().join('\n');
      assert.equal(sortLines(deltaScript(delta)), sortLines(diffScript(replayed, scratch)), `step ${step}`);
      replayed = scratch;
    }
  });
});
