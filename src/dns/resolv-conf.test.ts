import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf, parseUpstream, upstreamsFromResolvConf } from './resolv-conf.ts';

test('upstreams from resolv.conf skip loopback stubs', () => {
  const table: { name: string; conf: string; want: string[] }[] = [
    { name: 'plain', conf: 'nameserver 10.0.0.2\nnameserver 10.0.0.3\n', want: ['10.0.0.2:53', '10.0.0.3:53'] },
    { name: 'systemd-resolved stub', conf: 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n', want: [] },
    { name: 'mixed with comments', conf: '# generated\nnameserver 127.0.0.1\nnameserver ::1\nnameserver 192.168.1.1 ; router\nnameserver fd00::53\n', want: ['192.168.1.1:53', 'fd00::53:53'] },
    { name: 'scoped IPv6', conf: 'nameserver fe80::1%eth0\n', want: ['fe80::1:53'] },
  ];
  for (const c of table) {
    assert.deepEqual(upstreamsFromResolvConf(c.conf).map((u) => `${u.host}:${u.port}`), c.want, c.name);
  }
});

test('parseResolvConf: search and options', () => {
  const conf = parseResolvConf('search default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\nnameserver 10.96.0.10\n');
  assert.deepEqual(conf.search, ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  assert.deepEqual(conf.options, ['ndots:5']);
  assert.deepEqual(conf.nameservers, ['10.96.0.10']);
});

test('parseUpstream', () => {
  assert.deepEqual(parseUpstream('1.2.3.4'), { host: '1.2.3.4', port: 53 });
  assert.deepEqual(parseUpstream('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseUpstream('[fd00::1]:5353'), { host: 'fd00::1', port: 5353 });
  assert.deepEqual(parseUpstream('fd00::1'), { host: 'fd00::1', port: 53 });
});
