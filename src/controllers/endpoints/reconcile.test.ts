import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints } from '../../api/index.ts';
import { pod, service } from '../testdata.ts';
import { ANNOTATION_OVER_CAPACITY, reconcileEndpoints } from './reconcile.ts';

const web = service('web');
const show = (e: Endpoints | undefined) =>
  (e?.subsets ?? []).map((s) => ({
    ready: (s.addresses ?? []).map((a) => a.ip),
    notReady: (s.notReadyAddresses ?? []).map((a) => a.ip),
    ports: (s.ports ?? []).map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`),
  }));

describe('reconcileEndpoints', () => {
  const cases: { name: string; svc?: typeof web; pods: ReturnType<typeof pod>[]; want: ReturnType<typeof show> }[] = [
    { name: 'no pods: no subsets', pods: [], want: [] },
    {
      name: 'ready and unready pods, sorted by IP',
      pods: [pod('b', { ip: '10.244.1.9' }), pod('a', { ip: '10.244.1.10' }), pod('c', { ip: '10.244.1.2', ready: false })],
      want: [{ ready: ['10.244.1.10', '10.244.1.9'], notReady: ['10.244.1.2'], ports: [':8080/TCP'] }],
    },
    { name: 'terminating pods are left out', pods: [pod('a', { terminating: true })], want: [] },
    {
      name: 'terminating pods stay with publishNotReadyAddresses, as ready',
      svc: service('web', { publishNotReadyAddresses: true }),
      pods: [pod('a', { terminating: true, ip: '10.244.1.3' })],
      want: [{ ready: ['10.244.1.3'], notReady: [], ports: [':8080/TCP'] }],
    },
    {
      name: 'named ports: one subset per resolved port set',
      svc: service('web', { ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] }),
      pods: [pod('a', { ip: '10.244.1.3', ports: [{ name: 'web', containerPort: 80 }] }), pod('b', { ip: '10.244.1.4', ports: [{ name: 'web', containerPort: 81 }] })],
      want: [
        { ready: ['10.244.1.3'], notReady: [], ports: ['http:80/TCP'] },
        { ready: ['10.244.1.4'], notReady: [], ports: ['http:81/TCP'] },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const write = reconcileEndpoints(c.svc ?? web, c.pods, undefined, {});
      assert.equal(write.action, 'create');
      assert.deepEqual(show(write.object), c.want);
    });
  }

  it('no selector: not managed', () => {
    assert.equal(reconcileEndpoints(service('x', { selector: undefined }), [], undefined, {}).action, 'none');
  });

  it('unchanged: no write; changed: update; service gone: delete', () => {
    const first = reconcileEndpoints(web, [pod('a')], undefined, {}).object as Endpoints;
    assert.equal(reconcileEndpoints(web, [pod('a')], first, {}).action, 'none');
    assert.equal(reconcileEndpoints(web, [pod('a', { ready: false })], first, {}).action, 'update');
    assert.equal(reconcileEndpoints(undefined, [], first, {}).action, 'delete');
  });

  it('truncates at 1000 addresses with the over-capacity annotation', () => {
    const pods = Array.from({ length: 1500 }, (_, i) => pod(`p${i}`, { ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`, ready: i % 2 === 0 }));
    const write = reconcileEndpoints(web, pods, undefined, {});
    const subset = write.object?.subsets?.[0];
    assert.equal((subset?.addresses?.length ?? 0) + (subset?.notReadyAddresses?.length ?? 0), 1000);
    assert.equal(subset?.addresses?.length, 750, 'ready addresses are kept first');
    assert.equal(write.object?.metadata.annotations?.[ANNOTATION_OVER_CAPACITY], 'truncated');
  });
});
