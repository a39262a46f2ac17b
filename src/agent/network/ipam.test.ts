import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidrList, parseCidr, formatIP, gatewayOf, offsetOf } from './cidr.ts';
import { allocate, emptyIpamState, release, restoreIpamState, retainOwners, ownerOf } from './ipam.ts';

test('cidr parsing and formatting', () => {
  const cases = [
    { in: '10.244.1.7/24', text: '10.244.1.0/24', gw: '10.244.1.1', size: 256n },
    { in: 'fd00:10:244:1::/64', text: 'fd00:10:244:1::/64', gw: 'fd00:10:244:1::1', size: 1n << 64n },
    { in: '10.0.0.0/30', text: '10.0.0.0/30', gw: '10.0.0.1', size: 4n },
    { in: '::/0', text: '::/0', gw: '::1', size: 1n << 128n },
  ];
  for (const c of cases) {
    const cidr = parseCidr(c.in);
    assert.equal(cidr.text, c.text, c.in);
    assert.equal(gatewayOf(cidr), c.gw, c.in);
    assert.equal(cidr.size, c.size, c.in);
  }
  assert.equal(formatIP(0xfd000000000000000000000000000001n, 6), 'fd00::1');
  assert.equal(formatIP(0x20010db8000000010000000000000001n, 6), '2001:db8:0:1::1');
  assert.equal(offsetOf(parseCidr('10.244.1.0/24'), '10.244.1.9'), 9n);
  assert.equal(offsetOf(parseCidr('10.244.1.0/24'), '10.244.2.9'), undefined);
  for (const bad of ['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', 'fd00::1::2/64', 'zz::/64']) {
    assert.throws(() => parseCidr(bad), /invalid/, bad);
  }
});

test('ipam: sequential, idempotent per owner, skips network/gateway/broadcast, dual-stack pairs', () => {
  const cidrs = parseCidrList('10.244.1.0/29,fd00:10:244:1::/64');
  let s = emptyIpamState(cidrs);
  const got: string[][] = [];
  for (const owner of ['a', 'b', 'c', 'd', 'e']) {
    const r = allocate(s, cidrs, owner);
    s = r.state;
    got.push(r.allocation.ips);
  }
  // /29: .0 network, .1 gateway, .7 broadcast → .2-.6 usable.
  assert.deepEqual(got.map((g) => g[0]), ['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5', '10.244.1.6']);
  assert.deepEqual(got[0], ['10.244.1.2', 'fd00:10:244:1::2']);
  assert.throws(() => allocate(s, cidrs, 'f'), /exhausted/);
  assert.deepEqual(allocate(s, cidrs, 'c').allocation.ips[0], '10.244.1.4', 'same owner, same IP');
  s = release(s, 'b');
  assert.equal(ownerOf(s, cidrs, '10.244.1.3'), undefined);
  assert.equal(ownerOf(s, cidrs, 'fd00:10:244:1::4'), 'c');
  const again = allocate(s, cidrs, 'f');
  assert.equal(again.allocation.ips[0], '10.244.1.3', 'wraps to the freed address');
  // Persistence round trip; a different range starts afresh.
  const restored = restoreIpamState(JSON.parse(JSON.stringify(again.state)), cidrs);
  assert.deepEqual(restored, again.state);
  assert.deepEqual(restoreIpamState(again.state, parseCidrList('10.244.2.0/24')).owners, {});
  assert.deepEqual(restoreIpamState('garbage', cidrs).owners, {});
  assert.deepEqual(Object.values(retainOwners(again.state, new Set(['a', 'f'])).owners).sort(), ['a', 'f']);
});

test('ipam: after a release the next allocation moves on (no immediate reuse)', () => {
  const cidrs = parseCidrList('10.244.1.0/24');
  let s = emptyIpamState(cidrs);
  s = allocate(s, cidrs, 'a').state;
  s = release(s, 'a');
  assert.equal(allocate(s, cidrs, 'b').allocation.ips[0], '10.244.1.3');
});
