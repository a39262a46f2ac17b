import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice } from '../../api/index.ts';
import { pod, service } from '../testdata.ts';
import { reconcileMirroredSlices } from './mirror.ts';
import { ANNOTATION_TRIGGER_TIME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, reconcileEndpointSlices } from './reconcile.ts';

const opts = { maxEndpointsPerSlice: 100, triggerTime: '2026-11-23T10:00:00.000Z' };
const web = service('web');
type Summary = { addressType: string; ports: string; endpoints: string[] };
const summarize = (s: EndpointSlice): Summary => ({
  addressType: s.addressType,
  ports: (s.ports ?? []).map((p) => `${p.name}:${p.port}/${p.protocol}`).join(','),
  endpoints: (s.endpoints ?? []).map(
    (e) => `${e.addresses[0]} r=${e.conditions?.ready} s=${e.conditions?.serving} t=${e.conditions?.terminating}${e.hostname ? ` h=${e.hostname}` : ''}`,
  ),
});

describe('reconcileEndpointSlices: desired content', () => {
  const cases: { name: string; svc?: typeof web; pods: ReturnType<typeof pod>[]; want: Summary[] }[] = [
    { name: 'no pods: one empty placeholder', pods: [], want: [{ addressType: 'IPv4', ports: '', endpoints: [] }] },
    {
      name: 'ready pod',
      pods: [pod('a', { ip: '10.244.1.5' })],
      want: [{ addressType: 'IPv4', ports: ':8080/TCP', endpoints: ['10.244.1.5 r=true s=true t=false'] }],
    },
    {
      name: 'unready pod is listed not ready',
      pods: [pod('a', { ip: '10.244.1.5', ready: false })],
      want: [{ addressType: 'IPv4', ports: ':8080/TCP', endpoints: ['10.244.1.5 r=false s=false t=false'] }],
    },
    {
      name: 'terminating ready pod: serving and terminating, not ready',
      pods: [pod('a', { ip: '10.244.1.5', terminating: true })],
      want: [{ addressType: 'IPv4', ports: ':8080/TCP', endpoints: ['10.244.1.5 r=false s=true t=true'] }],
    },
    {
      name: 'publishNotReadyAddresses makes unready pods ready',
      svc: service('web', { publishNotReadyAddresses: true }),
      pods: [pod('a', { ip: '10.244.1.5', ready: false })],
      want: [{ addressType: 'IPv4', ports: ':8080/TCP', endpoints: ['10.244.1.5 r=true s=false t=false'] }],
    },
    {
      name: 'pods without IP, terminal pods and non-matching labels are left out',
      pods: [pod('a', { ip: '' }), pod('b', { phase: 'Succeeded' }), pod('c', { labels: { app: 'other' } }), pod('d', { namespace: 'other' })],
      want: [{ addressType: 'IPv4', ports: '', endpoints: [] }],
    },
    {
      name: 'named targetPort resolves per pod into separate slices',
      svc: service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }),
      pods: [
        pod('a', { ip: '10.244.1.5', ports: [{ name: 'http', containerPort: 8080 }] }),
        pod('b', { ip: '10.244.1.6', ports: [{ name: 'http', containerPort: 9090 }] }),
        pod('c', { ip: '10.244.1.7', ports: [{ name: 'other', containerPort: 1 }] }),
      ],
      want: [
        { addressType: 'IPv4', ports: 'http:8080/TCP', endpoints: ['10.244.1.5 r=true s=true t=false'] },
        { addressType: 'IPv4', ports: 'http:9090/TCP', endpoints: ['10.244.1.6 r=true s=true t=false'] },
        { addressType: 'IPv4', ports: '', endpoints: ['10.244.1.7 r=true s=true t=false'] },
      ],
    },
    {
      name: 'dual-stack: one slice per family',
      svc: service('web', { ipFamilies: ['IPv4', 'IPv6'] }),
      pods: [pod('a', { ips: ['10.244.1.5', 'fd00:10:244:1::5'] })],
      want: [
        { addressType: 'IPv4', ports: ':8080/TCP', endpoints: ['10.244.1.5 r=true s=true t=false'] },
        { addressType: 'IPv6', ports: ':8080/TCP', endpoints: ['fd00:10:244:1::5 r=true s=true t=false'] },
      ],
    },
    {
      name: 'hostname set when subdomain names the service',
      pods: [pod('a', { ip: '10.244.1.5', hostname: 'a', subdomain: 'web' }), pod('b', { ip: '10.244.1.6', hostname: 'b', subdomain: 'x' })],
      want: [{ addressType: 'IPv4', ports: ':8080/TCP', endpoints: ['10.244.1.5 r=true s=true t=false h=a', '10.244.1.6 r=true s=true t=false'] }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const writes = reconcileEndpointSlices(c.svc ?? web, c.pods, [], opts);
      assert.deepEqual(writes.update, []);
      assert.deepEqual(writes.delete, []);
      assert.deepEqual(writes.create.map(summarize), c.want);
    });
  }
});

describe('reconcileEndpointSlices: metadata and churn', () => {
  const existingFrom = (slices: EndpointSlice[]) => slices.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${i}`, resourceVersion: '1' } }));

  it('labels, owner, generateName and trigger time', () => {
    const [slice] = reconcileEndpointSlices(web, [pod('a')], [], opts).create;
    assert.equal(slice.metadata.generateName, 'web-');
    assert.equal(slice.metadata.labels?.[LABEL_SERVICE_NAME], 'web');
    assert.equal(slice.metadata.labels?.[LABEL_MANAGED_BY], 'endpointslice-controller.k8s.io');
    assert.equal(slice.metadata.annotations?.[ANNOTATION_TRIGGER_TIME], opts.triggerTime);
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }]);
  });

  it('no change: no writes', () => {
    const pods = [pod('a'), pod('b', { ip: '10.244.1.11' })];
    const existing = existingFrom(reconcileEndpointSlices(web, pods, [], opts).create);
    assert.deepEqual(reconcileEndpointSlices(web, pods, existing, opts), { create: [], update: [], delete: [] });
  });

  it('a pod turning unready updates its slice in place', () => {
    const existing = existingFrom(reconcileEndpointSlices(web, [pod('a')], [], opts).create);
    const writes = reconcileEndpointSlices(web, [pod('a', { ready: false })], existing, opts);
    assert.equal(writes.create.length + writes.delete.length, 0);
    assert.equal(writes.update.length, 1);
    assert.equal(writes.update[0].metadata.name, 'web-0');
    assert.equal(writes.update[0].endpoints?.[0].conditions?.ready, false);
  });

  it('1500 pods: 15 slices of 100; adding one pod fills no full slice and makes one new', () => {
    const pods = Array.from({ length: 1500 }, (_, i) => pod(`p${String(i).padStart(4, '0')}`, { ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    const created = reconcileEndpointSlices(web, pods, [], opts).create;
    assert.equal(created.length, 15);
    assert.ok(created.every((s) => s.endpoints?.length === 100));
    const writes = reconcileEndpointSlices(web, [...pods, pod('z', { ip: '10.244.9.9' })], existingFrom(created), opts);
    assert.equal(writes.update.length, 0);
    assert.equal(writes.create.length, 1);
    assert.equal(writes.create[0].endpoints?.length, 1);
  });

  it('removing pods shrinks slices and deletes emptied ones; the last one becomes a placeholder', () => {
    const existing = existingFrom(reconcileEndpointSlices(web, [pod('a')], [], { ...opts, maxEndpointsPerSlice: 1 }).create);
    const writes = reconcileEndpointSlices(web, [], existing, opts);
    assert.equal(writes.update.length, 1);
    assert.deepEqual(writes.update[0].endpoints, []);
  });

  it('an address type the Service dropped is deleted', () => {
    const dual = service('web', { ipFamilies: ['IPv4', 'IPv6'] });
    const existing = existingFrom(reconcileEndpointSlices(dual, [pod('a', { ips: ['10.244.1.5', 'fd00::5'] })], [], opts).create);
    const writes = reconcileEndpointSlices(web, [pod('a', { ips: ['10.244.1.5', 'fd00::5'] })], existing, opts);
    assert.deepEqual(writes.delete.map((s) => s.addressType), ['IPv6']);
  });

  it('mirrors hand-written Endpoints of a selector-less Service', () => {
    const svc = service('ext', { selector: undefined });
    const writes = reconcileMirroredSlices(
      svc,
      { metadata: { name: 'ext', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], notReadyAddresses: [{ ip: '192.0.2.2' }], ports: [{ port: 5432, name: 'pg' }] }] },
      [],
      opts,
    );
    assert.deepEqual(writes.create.map(summarize), [
      { addressType: 'IPv4', ports: 'pg:5432/TCP', endpoints: ['192.0.2.1 r=true s=undefined t=undefined', '192.0.2.2 r=false s=undefined t=undefined'] },
    ]);
    assert.equal(writes.create[0].metadata.labels?.[LABEL_MANAGED_BY], 'endpointslicemirroring-controller.k8s.io');
  });
});
