import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalIP,
  candidateOrder,
  dnsServiceIP,
  kubernetesServiceIP,
  nextFreeAddress,
  parseCIDR,
  rangeHolds,
  RecentlyReleased,
  serviceNetworkConfig,
  serviceRange,
  staticBandSize,
  walkFrom,
  formatIP,
} from './index.ts';

/** A deterministic Random (mulberry32) so failures reproduce. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('canonicalIP parses like ParseIPSloppy and prints like net.IP.String', () => {
  const cases: { in: string; want: string | undefined }[] = [
    { in: '10.96.0.1', want: '10.96.0.1' },
    { in: '010.096.000.001', want: '10.96.0.1' },
    { in: 'FD00:10:96::A', want: 'fd00:10:96::a' },
    { in: 'fd00:10:96:0:0:0:0:a', want: 'fd00:10:96::a' },
    { in: '::ffff:10.0.0.1', want: '10.0.0.1' },
    { in: '256.0.0.1', want: undefined },
    { in: '10.96.0', want: undefined },
    { in: 'fe80::1%eth0', want: undefined },
    { in: 'None', want: undefined },
    { in: '', want: undefined },
  ];
  for (const c of cases) assert.equal(canonicalIP(c.in), c.want, c.in);
});

test('ranges: usable addresses, network/broadcast exclusion and KEP-3070 static band', () => {
  const cases: { cidr: string; first: string; last: string; usable: bigint; band: number }[] = [
    { cidr: '10.96.0.0/12', first: '10.96.0.1', last: '10.111.255.254', usable: 1048574n, band: 256 },
    { cidr: '10.0.0.0/24', first: '10.0.0.1', last: '10.0.0.254', usable: 254n, band: 16 },
    { cidr: '10.0.0.0/27', first: '10.0.0.1', last: '10.0.0.30', usable: 30n, band: 16 },
    { cidr: '10.0.0.0/28', first: '10.0.0.1', last: '10.0.0.14', usable: 14n, band: 0 },
    { cidr: '10.0.0.0/30', first: '10.0.0.1', last: '10.0.0.2', usable: 2n, band: 0 },
    { cidr: '10.0.0.0/31', first: '10.0.0.1', last: '10.0.0.0', usable: 0n, band: 0 },
    { cidr: '10.0.0.0/32', first: '10.0.0.1', last: '10.0.0.255', usable: 0n, band: 0 },
    { cidr: '10.0.0.7/24', first: '10.0.0.1', last: '10.0.0.254', usable: 254n, band: 16 },
    { cidr: 'fd00:10:96::/112', first: 'fd00:10:96::1', last: 'fd00:10:96::ffff', usable: 65535n, band: 256 },
    { cidr: 'fd00::/120', first: 'fd00::1', last: 'fd00::ff', usable: 255n, band: 16 },
    { cidr: 'fd00::/127', first: 'fd00::1', last: 'fd00::1', usable: 1n, band: 0 },
    { cidr: 'fd00::/128', first: 'fd00::1', last: 'fd00::', usable: 0n, band: 0 },
  ];
  for (const c of cases) {
    const r = serviceRange(c.cidr);
    if (c.usable > 0n) {
      assert.equal(formatIP(r.family, r.first), c.first, `${c.cidr} first`);
      assert.equal(formatIP(r.family, r.last), c.last, `${c.cidr} last`);
    }
    assert.equal(r.usable, c.usable, `${c.cidr} usable`);
    assert.equal(r.staticBand, c.band, `${c.cidr} band`);
  }
  assert.throws(() => serviceRange('fd00::/48'), /shortest allowed prefix length for service CIDR is 64, got 48/);
  assert.throws(() => serviceRange('10.0.0.0/33'), /invalid service CIDR/);
});

test('staticBandSize is min(max(16, size/16), 256) and 0 up to 16 addresses', () => {
  const cases: [bigint, number][] = [[16n, 0], [32n, 16], [256n, 16], [512n, 32], [4096n, 256], [1n << 20n, 256]];
  for (const [size, want] of cases) assert.equal(staticBandSize(size), want, String(size));
});

test('rangeHolds excludes network and IPv4 broadcast addresses and other families', () => {
  const r = serviceRange('10.96.0.0/12');
  const cases: [string, boolean][] = [
    ['10.96.0.0', false], ['10.96.0.1', true], ['10.111.255.254', true], ['10.111.255.255', false],
    ['10.112.0.1', false], ['192.168.1.1', false], ['fd00:10:96::1', false], ['garbage', false],
  ];
  for (const [ip, want] of cases) assert.equal(rangeHolds(r, ip), want, ip);
  const r6 = serviceRange('fd00:10:96::/112');
  assert.equal(rangeHolds(r6, 'fd00:10:96::ffff'), true, 'IPv6 has no broadcast address');
  assert.equal(rangeHolds(r6, 'fd00:10:96::'), false);
});

test('well-known addresses: kubernetes is the first, DNS the tenth', () => {
  assert.equal(kubernetesServiceIP('10.96.0.0/12'), '10.96.0.1');
  assert.equal(dnsServiceIP('10.96.0.0/12'), '10.96.0.10');
  assert.equal(kubernetesServiceIP('fd00:10:96::/112'), 'fd00:10:96::1');
  assert.equal(dnsServiceIP('fd00:10:96::/112'), 'fd00:10:96::a');
  assert.equal(kubernetesServiceIP('10.0.0.0/16'), '10.0.0.1');
});

test('serviceNetworkConfig: default dual-stack, primary first, refuses bad lists', () => {
  const c = serviceNetworkConfig();
  assert.equal(c.primaryFamily, 'IPv4');
  assert.deepEqual(c.ranges.map((r) => r.cidr), ['10.96.0.0/12', 'fd00:10:96::/112']);
  assert.equal(serviceNetworkConfig('fd00::/112,10.0.0.0/24').primaryFamily, 'IPv6');
  assert.throws(() => serviceNetworkConfig('10.0.0.0/24,10.1.0.0/24'), /different IP family/);
  assert.throws(() => serviceNetworkConfig('10.0.0.0/24,fd00::/112,10.2.0.0/24'), /more than two/);
});

test('walkFrom visits every address once, wrapping from the offset', () => {
  assert.deepEqual([...walkFrom(1n, 5n, 3n)], [4n, 5n, 1n, 2n, 3n]);
  assert.deepEqual([...walkFrom(1n, 5n, 0n)], [1n, 2n, 3n, 4n, 5n]);
  assert.deepEqual([...walkFrom(5n, 4n, 0n)], []);
});

test('candidateOrder: upper band first, then the static band, every usable address exactly once', () => {
  const r = serviceRange('10.0.0.0/24'); // band 16: 10.0.0.1-16 static, 17-254 dynamic
  const order = [...candidateOrder(r, seeded(7))].map((v) => formatIP('IPv4', v));
  assert.equal(order.length, 254);
  assert.equal(new Set(order).size, 254);
  const firstStatic = order.findIndex((ip) => Number(ip.split('.')[3]) <= 16);
  assert.equal(firstStatic, 254 - 16, 'all 238 upper-band addresses come before any static one');
  assert.ok(!order.includes('10.0.0.0') && !order.includes('10.0.0.255'));
  // A /28 has no bands: all 14 addresses in one walk.
  assert.equal([...candidateOrder(serviceRange('10.0.0.0/28'), seeded(1))].length, 14);
});

test('nextFreeAddress prefers the upper band, falls back to the static band, then reports full', async () => {
  const r = serviceRange('10.0.0.0/24');
  const taken = new Set<string>();
  const isFree = (ip: string): boolean => !taken.has(ip);
  const random = seeded(42);
  for (let i = 0; i < 238; i++) {
    const ip = await nextFreeAddress(r, { random, isFree });
    assert.ok(ip && Number(ip.split('.')[3]) > 16, `allocation ${i} (${ip}) came from the upper band`);
    taken.add(ip);
  }
  for (let i = 0; i < 16; i++) {
    const ip = await nextFreeAddress(r, { random, isFree });
    assert.ok(ip && Number(ip.split('.')[3]) <= 16, `static band used once the upper band is full (${ip})`);
    taken.add(ip);
  }
  assert.equal(await nextFreeAddress(r, { random, isFree }), undefined);
});

test('random starts spread first choices across the range', async () => {
  const r = serviceRange('10.96.0.0/12');
  const random = seeded(3);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add((await nextFreeAddress(r, { random, isFree: () => true }))!);
  assert.ok(seen.size >= 199, `200 independent choices from 1M addresses should almost never collide (${seen.size})`);
});

test('recently released addresses are held back unless nothing else is free', async () => {
  const r = serviceRange('10.0.0.0/29'); // 6 usable: .1-.6
  const held = new RecentlyReleased(10, 60_000);
  const taken = new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
  held.add('10.0.0.5', 1000);
  const isFree = (ip: string): boolean => !taken.has(ip);
  for (let seed = 0; seed < 20; seed++) {
    const ip = await nextFreeAddress(r, { random: seeded(seed), isFree, recentlyReleased: held, nowMs: 2000 });
    assert.equal(ip, '10.0.0.6', `seed ${seed}: the held address is skipped while another is free`);
  }
  taken.add('10.0.0.6');
  assert.equal(await nextFreeAddress(r, { random: seeded(1), isFree, recentlyReleased: held, nowMs: 2000 }), '10.0.0.5');
  // The hold expires.
  assert.equal(held.heldSince('10.0.0.5', 61_000), undefined);
  // The list is bounded.
  for (let i = 0; i < 50; i++) held.add(`10.1.0.${i}`, 0);
  assert.equal(held.size, 10);
});

test('parseCIDR masks host bits like ParseCIDR', () => {
  const c = parseCIDR('10.96.3.4/12')!;
  assert.equal(formatIP(c.family, c.network), '10.96.0.0');
  assert.equal(parseCIDR('10.96.0.0'), undefined);
  assert.equal(parseCIDR('10.96.0.0/x'), undefined);
});

test('reserved addresses come last, after held ones', async () => {
  const r = serviceRange('10.0.0.0/29'); // .1-.6
  const held = new RecentlyReleased(10, 60_000);
  held.add('10.0.0.2', 0);
  const reserved = new Set(['10.0.0.3']);
  const taken = new Set<string>();
  const order: string[] = [];
  for (let i = 0; i < 6; i++) {
    const ip = (await nextFreeAddress(r, { random: seeded(i), isFree: (x) => !taken.has(x), recentlyReleased: held, reserved, nowMs: 1 }))!;
    taken.add(ip);
    order.push(ip);
  }
  assert.deepEqual(order.slice(4), ['10.0.0.2', '10.0.0.3'], `held, then reserved, last (${order.join(' ')})`);
});
