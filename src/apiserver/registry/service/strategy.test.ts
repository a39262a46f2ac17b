// The Service Strategy against a Backend (the core's in-memory one): allocation, errors in kubectl's words,
// release, type changes, dual-stack, exhaustion, concurrency, bootstrap and repair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IPAddress, Service, ServiceCIDR } from '../../../api/index.ts';
import type { Backend } from '../../../storage/index.ts';
import { memoryBackend } from '../../memory-backend.ts';
import { serviceNetworkConfig, rangeHolds, serviceRange } from '../../../allocator/index.ts';
import { serviceStrategy } from './strategy.ts';
import { bootstrapServiceNetworking, repairServiceAllocations } from './bootstrap.ts';
import { createService, deleteService, getService, kubectlMessage, updateService } from './testing.ts';
import { ipAddressPrefix } from './ipaddress.ts';

function svc(name: string, spec: Partial<Service['spec']> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

async function ipAddresses(store: Backend): Promise<IPAddress[]> {
  return (await store.list(ipAddressPrefix)).items.map((kv) => JSON.parse(kv.value) as IPAddress);
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return kubectlMessage(err);
  }
  assert.fail('expected the write to fail');
}

test('dynamic allocation: upper band, IPAddress recorded with labels and parentRef', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig());
  const created = await createService(store, strategy, svc('web'));
  const ip = created.spec.clusterIP!;
  assert.deepEqual(created.spec.clusterIPs, [ip]);
  assert.deepEqual(created.spec.ipFamilies, ['IPv4']);
  assert.equal(created.spec.ipFamilyPolicy, 'SingleStack');
  const r = serviceRange('10.96.0.0/12');
  assert.ok(rangeHolds(r, ip));
  const [a, b, c, d] = ip.split('.').map(Number);
  assert.ok(((a * 256 + b) * 256 + c) * 256 + d > (10 * 256 + 96) * 65536 + 256, `${ip} is above the 256-address static band`);
  const ips = await ipAddresses(store);
  assert.equal(ips.length, 1);
  assert.equal(ips[0].metadata.name, ip);
  assert.deepEqual(ips[0].metadata.labels, {
    'ipaddress.kubernetes.io/ip-family': 'IPv4',
    'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io',
  });
  assert.deepEqual(ips[0].spec.parentRef, { resource: 'services', namespace: 'default', name: 'web' });
  assert.equal(ips[0].apiVersion, 'networking.k8s.io/v1');
  assert.equal(ips[0].kind, 'IPAddress');
});

test('explicit clusterIP: honoured, then already allocated, out of range, network address', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig());
  const a = await createService(store, strategy, svc('a', { clusterIP: '10.96.0.5' }));
  assert.equal(a.spec.clusterIP, '10.96.0.5');
  assert.equal(
    await failure(createService(store, strategy, svc('b', { clusterIP: '10.96.0.5' }))),
    'The Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated',
  );
  assert.equal(
    await failure(createService(store, strategy, svc('c', { clusterIP: '192.168.1.1' }))),
    'The Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.1.1"}: failed to allocate IP 192.168.1.1: the provided network does not match the current range',
  );
  assert.equal(
    await failure(createService(store, strategy, svc('d', { clusterIP: '10.96.0.0' }))),
    'The Service "d" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.0"}: failed to allocate IP 10.96.0.0: the provided network does not match the current range',
  );
  assert.equal(
    await failure(createService(store, strategy, svc('e', { clusterIP: 'fd00:10:96::5', ipFamilies: ['IPv4'] }))),
    'The Service "e" is invalid: spec.clusterIPs[0]: Invalid value: "fd00:10:96::5": expected an IPv4 value as indicated by `ipFamilies[0]`',
  );
  assert.equal((await ipAddresses(store)).length, 1, 'failed creates leak nothing');
  assert.equal(await getService(store, 'default', 'b'), undefined);
});

test('ipFamily rules against the configured families', async () => {
  const single = serviceStrategy(serviceNetworkConfig('10.96.0.0/12'));
  const store = memoryBackend();
  assert.equal(
    await failure(createService(store, single, svc('x', { ipFamilyPolicy: 'RequireDualStack' }))),
    'The Service "x" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
  );
  assert.equal(
    await failure(createService(store, single, svc('y', { ipFamilies: ['IPv6'] }))),
    'The Service "y" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
  );
  assert.equal(
    await failure(createService(store, single, svc('z', { ipFamilies: ['IPv4', 'IPv6'] }))),
    'The Service "z" is invalid: spec.ipFamilyPolicy: Invalid value: "SingleStack": must be \'RequireDualStack\' or \'PreferDualStack\' when multiple IP families are specified',
  );
  const pref = await createService(store, single, svc('p', { ipFamilyPolicy: 'PreferDualStack' }));
  assert.deepEqual(pref.spec.ipFamilies, ['IPv4'], 'PreferDualStack on a single-stack cluster gets one family');
});

test('dual-stack: one IPAddress per family, in one transaction; headless gets none', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig());
  const d = await createService(store, strategy, svc('dual', { ipFamilyPolicy: 'RequireDualStack' }));
  assert.deepEqual(d.spec.ipFamilies, ['IPv4', 'IPv6']);
  assert.equal(d.spec.clusterIPs?.length, 2);
  assert.ok(rangeHolds(serviceRange('fd00:10:96::/112'), d.spec.clusterIPs![1]));
  const six = await createService(store, strategy, svc('six', { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'PreferDualStack' }));
  assert.ok(six.spec.clusterIP!.includes(':'), 'primary family as asked');
  assert.equal((await ipAddresses(store)).length, 4);
  const h = await createService(store, strategy, svc('headless', { clusterIP: 'None' }));
  assert.deepEqual(h.spec.clusterIPs, ['None']);
  assert.deepEqual(h.spec.ipFamilies, ['IPv4']);
  assert.equal(h.spec.ipFamilyPolicy, 'SingleStack');
  const hs = await createService(store, strategy, { ...svc('headless-noselector', { clusterIP: 'None' }), spec: { clusterIP: 'None', ports: [] } });
  assert.equal(hs.spec.ipFamilyPolicy, 'RequireDualStack');
  assert.deepEqual(hs.spec.ipFamilies, ['IPv4', 'IPv6']);
  assert.equal((await ipAddresses(store)).length, 4);
  await deleteService(store, strategy, 'default', 'dual');
  assert.equal((await ipAddresses(store)).length, 2, 'delete releases both families');
});

test('a /28 runs out with Kubernetes\' error and frees correctly', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig('10.0.0.0/28'));
  const got = new Set<string>();
  for (let i = 0; i < 14; i++) got.add((await createService(store, strategy, svc(`s${i}`))).spec.clusterIP!);
  assert.equal(got.size, 14);
  assert.ok(!got.has('10.0.0.0') && !got.has('10.0.0.15'), 'network and broadcast never handed out');
  let err: unknown;
  try {
    await createService(store, strategy, svc('full'));
  } catch (e) {
    err = e;
  }
  assert.equal(kubectlMessage(err), 'Error from server (InternalError): Internal error occurred: failed to allocate a serviceIP: range is full');
  assert.equal((err as { code: number }).code, 500);
  const freed = (await getService(store, 'default', 's3'))!.spec.clusterIP!;
  await deleteService(store, strategy, 'default', 's3');
  const again = await createService(store, strategy, svc('again'));
  assert.equal(again.spec.clusterIP, freed, 'the only free address is handed out even though it was just released');
  assert.equal((await ipAddresses(store)).length, 14);
});

test('the cluster DNS address is handed out dynamically only when nothing else is left', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig('10.0.0.0/28'));
  const got: string[] = [];
  for (let i = 0; i < 14; i++) got.push((await createService(store, strategy, svc(`s${i}`))).spec.clusterIP!);
  assert.equal(got.indexOf('10.0.0.10'), 13);
  const other = serviceStrategy(serviceNetworkConfig('10.0.0.0/28'));
  const store2 = memoryBackend();
  await createService(store2, other, svc('a'));
  const dns = await createService(store2, other, { ...svc('kube-dns', { clusterIP: '10.0.0.10' }), metadata: { name: 'kube-dns', namespace: 'kube-system' } });
  assert.equal(dns.spec.clusterIP, '10.0.0.10', 'asking for it explicitly works');
});

test('a freed address is not handed out again at once while others are free', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig('10.0.0.0/29'));
  const a = await createService(store, strategy, svc('a'));
  await deleteService(store, strategy, 'default', 'a');
  for (let i = 0; i < 5; i++) {
    const s = await createService(store, strategy, svc(`n${i}`));
    assert.notEqual(s.spec.clusterIP, a.spec.clusterIP, `create ${i} avoided the just-freed ${a.spec.clusterIP}`);
  }
  const last = await createService(store, strategy, svc('last'));
  assert.equal(last.spec.clusterIP, a.spec.clusterIP, 'only when nothing else is left');
});

test('type changes: ClusterIP → ExternalName releases, ExternalName → ClusterIP allocates', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig());
  const s = await createService(store, strategy, svc('t', { clusterIP: '10.96.0.7' }));
  assert.equal(s.spec.clusterIP, '10.96.0.7');
  const ext = await updateService(store, strategy, { ...s, spec: { ...s.spec, type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(ext.spec.clusterIP, undefined);
  assert.equal(ext.spec.ipFamilies, undefined);
  assert.equal((await ipAddresses(store)).length, 0);
  const back = await updateService(store, strategy, { ...ext, spec: { ...ext.spec, type: 'ClusterIP', externalName: undefined } });
  assert.ok(back.spec.clusterIP && rangeHolds(serviceRange('10.96.0.0/12'), back.spec.clusterIP));
  assert.deepEqual(back.spec.ipFamilies, ['IPv4']);
  assert.equal((await ipAddresses(store)).length, 1);
  assert.equal(
    await failure(updateService(store, strategy, { ...back, spec: { ...back.spec, clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'] } })),
    `The Service "t" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.9"}: may not change once set`,
  );
  // Upgrade to dual-stack, then downgrade.
  const up = await updateService(store, strategy, { ...back, spec: { ...back.spec, ipFamilyPolicy: 'RequireDualStack' } });
  assert.equal(up.spec.clusterIPs?.length, 2);
  assert.equal((await ipAddresses(store)).length, 2);
  const down = await updateService(store, strategy, { ...up, spec: { ...up.spec, ipFamilyPolicy: 'SingleStack' } });
  assert.deepEqual(down.spec.clusterIPs, [back.spec.clusterIP]);
  assert.equal((await ipAddresses(store)).length, 1);
});

test('300 concurrent creates, 50 asking for one explicit clusterIP: one winner, all unique, one IPAddress each', async () => {
  const store = memoryBackend();
  const strategy = serviceStrategy(serviceNetworkConfig('10.96.0.0/22'));
  const results = await Promise.allSettled(
    Array.from({ length: 300 }, (_, i) => createService(store, strategy, svc(`c${i}`, i < 50 ? { clusterIP: '10.96.0.20' } : {}))),
  );
  const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<Service>).value);
  const failed = results.filter((r) => r.status === 'rejected');
  assert.equal(ok.length, 251);
  assert.equal(ok.filter((s) => s.spec.clusterIP === '10.96.0.20').length, 1);
  for (const f of failed) assert.match(kubectlMessage((f as PromiseRejectedResult).reason), /provided IP is already allocated/);
  assert.equal(new Set(ok.map((s) => s.spec.clusterIP)).size, 251);
  const ips = await ipAddresses(store);
  assert.equal(ips.length, 251);
  const byIP = new Map(ips.map((i) => [i.metadata.name, i.spec.parentRef.name]));
  for (const s of ok) assert.equal(byIP.get(s.spec.clusterIP!), s.metadata.name);
});

test('bootstrap: default ServiceCIDR Ready and default/kubernetes on the first address; idempotent', async () => {
  const store = memoryBackend();
  const config = serviceNetworkConfig(undefined, 6443);
  const report = await bootstrapServiceNetworking(store, config);
  assert.equal(report.serviceCIDRCreated, true);
  assert.equal(report.kubernetesServiceCreated, true);
  const cidr = JSON.parse((await store.get('/registry/servicecidrs/kubernetes'))!.value) as ServiceCIDR;
  assert.deepEqual(cidr.spec.cidrs, ['10.96.0.0/12', 'fd00:10:96::/112']);
  assert.equal(cidr.status?.conditions?.[0].type, 'Ready');
  assert.equal(cidr.status?.conditions?.[0].status, 'True');
  const k = (await getService(store, 'default', 'kubernetes'))!;
  assert.equal(k.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(k.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
  assert.equal((await ipAddresses(store))[0].metadata.name, '10.96.0.1');
  const second = await bootstrapServiceNetworking(store, serviceNetworkConfig(undefined, 7443));
  assert.equal(second.kubernetesServiceCreated, false);
  assert.equal(second.kubernetesServiceUpdated, true, 'the port follows the API server');
  assert.equal((await getService(store, 'default', 'kubernetes'))!.spec.clusterIP, '10.96.0.1', 'the IP never changes');
  // A user asking for the kubernetes IP or the DNS one.
  const strategy = serviceStrategy(config);
  assert.match(await failure(createService(store, strategy, svc('steal', { clusterIP: '10.96.0.1' }))), /provided IP is already allocated/);
  const dns = await createService(store, strategy, { ...svc('kube-dns', { clusterIP: '10.96.0.10' }), metadata: { name: 'kube-dns', namespace: 'kube-system' } });
  assert.equal(dns.spec.clusterIP, '10.96.0.10');
});

test('repair: removes orphan IPAddresses, recreates missing ones, reports conflicts and strays', async () => {
  const store = memoryBackend();
  const config = serviceNetworkConfig();
  const strategy = serviceStrategy(config);
  const a = await createService(store, strategy, svc('a'));
  const b = await createService(store, strategy, svc('b', { clusterIP: '10.96.0.30' }));
  // Orphan: an IPAddress whose Service is gone.
  const orphanKey = '/registry/ipaddresses/10.96.0.99';
  await store.create(orphanKey, JSON.stringify({
    apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress',
    metadata: { name: '10.96.0.99', labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io', 'ipaddress.kubernetes.io/ip-family': 'IPv4' } },
    spec: { parentRef: { resource: 'services', namespace: 'default', name: 'gone' } },
  }));
  // Missing: b's IPAddress deleted behind the allocator's back.
  await store.delete('/registry/ipaddresses/10.96.0.30');
  // Stray: a Service written with an address outside every range.
  await store.create('/registry/services/specs/default/stray', JSON.stringify({
    ...svc('stray'), spec: { ...svc('stray').spec, clusterIP: '172.16.0.1', clusterIPs: ['172.16.0.1'], ipFamilies: ['IPv4'] },
  }));
  const report = await repairServiceAllocations(store, config);
  assert.deepEqual(report.removedIPAddresses, ['10.96.0.99']);
  assert.deepEqual(report.createdIPAddresses, ['10.96.0.30']);
  assert.deepEqual(report.outOfRange, ['default/stray 172.16.0.1']);
  assert.deepEqual(report.conflicts, []);
  const names = (await ipAddresses(store)).map((i) => i.metadata.name).sort();
  assert.deepEqual(names, [a.spec.clusterIP, b.spec.clusterIP].sort());
  const again = await repairServiceAllocations(store, config);
  assert.deepEqual(again, { removedIPAddresses: [], createdIPAddresses: [], conflicts: [], outOfRange: ['default/stray 172.16.0.1'] });
});

test('an extra ServiceCIDR object adds a range to allocate from', async () => {
  const store = memoryBackend();
  const config = serviceNetworkConfig('10.0.0.0/30'); // 2 usable
  const strategy = serviceStrategy(config);
  await createService(store, strategy, svc('a'));
  await createService(store, strategy, svc('b'));
  assert.match(await failure(createService(store, strategy, svc('c'))), /range is full/);
  await store.create('/registry/servicecidrs/extra', JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'extra' }, spec: { cidrs: ['10.1.0.0/24'] } }));
  const c = await createService(store, strategy, svc('c'));
  assert.ok(rangeHolds(serviceRange('10.1.0.0/24'), c.spec.clusterIP!));
  const d = await createService(store, strategy, svc('d', { clusterIP: '10.1.0.3' }));
  assert.equal(d.spec.clusterIP, '10.1.0.3');
});

test('a crowded range served from a snapshot still sees an address freed a moment ago', async () => {
  const store = memoryBackend();
  let now = 0;
  const strategy = serviceStrategy(serviceNetworkConfig('10.0.0.0/26'), { clock: () => now, probesBeforeList: 4, reserved: [] });
  const made: Service[] = [];
  for (let i = 0; i < 62; i++) made.push(await createService(store, strategy, svc(`s${i}`)));
  assert.match(await failure(createService(store, strategy, svc('full'))), /range is full/);
  await deleteService(store, strategy, 'default', 's30');
  now += 1000; // well inside the snapshot's lifetime
  const again = await createService(store, strategy, svc('again'));
  assert.equal(again.spec.clusterIP, made[30].spec.clusterIP);
});
