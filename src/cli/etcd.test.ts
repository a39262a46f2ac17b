import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localEtcdPart } from './etcd.ts';

test('localEtcdPart: one member on the given loopback ports, data under <data-dir>/etcd', () => {
  const cases = [
    {
      name: 'first ports',
      input: { dataDir: '/var/lib/c', client: 2379, peer: 2380 },
      want: { endpoint: 'http://127.0.0.1:2379', flags: ['--data-dir=/var/lib/c/etcd', '--listen-client-urls=http://127.0.0.1:2379', '--listen-peer-urls=http://127.0.0.1:2380', '--initial-cluster=clusterip=http://127.0.0.1:2380'] },
    },
    {
      name: 'other ports',
      input: { dataDir: 'rel', client: 40001, peer: 40002 },
      want: { endpoint: 'http://127.0.0.1:40001', flags: ['--data-dir=rel/etcd', '--advertise-client-urls=http://127.0.0.1:40001', '--initial-advertise-peer-urls=http://127.0.0.1:40002'] },
    },
  ];
  for (const c of cases) {
    const got = localEtcdPart(c.input.dataDir, c.input.client, c.input.peer);
    assert.equal(got.endpoint, c.want.endpoint, c.name);
    assert.equal(got.spec.name, 'etcd', c.name);
    for (const flag of c.want.flags) assert.ok(got.spec.args.includes(flag), `${c.name}: ${flag} in ${got.spec.args.join(' ')}`);
  }
});
