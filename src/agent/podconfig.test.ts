import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../api/index.ts';
import { containerEnv, expandVars, renderHostsFile, renderResolvConf, serviceEnvVars } from './podconfig.ts';

const dns = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: 'nameserver 1.1.1.1\nsearch corp.example\noptions edns0\n' };

function pod(spec: Partial<Pod['spec']> = {}, ns = 'web'): Pod {
  return { metadata: { name: 'p1', namespace: ns, uid: 'u1' }, spec: { containers: [{ name: 'c' }], ...spec } };
}

test('resolv.conf per dnsPolicy', () => {
  const cases: { name: string; pod: Pod; want: string }[] = [
    {
      name: 'ClusterFirst (default)',
      pod: pod(),
      want: 'search web.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    },
    { name: 'Default: the host', pod: pod({ dnsPolicy: 'Default' }), want: 'search corp.example\nnameserver 1.1.1.1\noptions edns0\n' },
    {
      name: 'None: dnsConfig only',
      pod: pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }] } }),
      want: 'search a.b\nnameserver 9.9.9.9\noptions ndots:2\n',
    },
    {
      name: 'ClusterFirst merged with dnsConfig',
      pod: pod({ dnsConfig: { searches: ['x.y'], options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] } }),
      want: 'search web.svc.cluster.local svc.cluster.local cluster.local x.y\nnameserver 10.96.0.10\noptions ndots:1 edns0\n',
    },
  ];
  for (const c of cases) assert.equal(renderResolvConf(c.pod, dns), c.want, c.name);
});

test('hosts file as the kubelet manages it', () => {
  const plain = renderHostsFile(pod(), ['10.244.1.5'], 'cluster.local');
  assert.ok(plain.startsWith('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n'));
  assert.ok(plain.endsWith('10.244.1.5\tp1\n'));
  const sub = renderHostsFile(pod({ hostname: 'h', subdomain: 's' }), ['10.244.1.5'], 'cluster.local');
  assert.ok(sub.endsWith('10.244.1.5\th.s.web.svc.cluster.local\th\n'));
});

test('service env vars (docker links included)', () => {
  const vars = serviceEnvVars({ namespace: 'web', name: 'nginx-service', clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { port: 53, protocol: 'UDP' }] });
  assert.deepEqual(Object.fromEntries(vars.map((v) => [v.name, v.value])), {
    NGINX_SERVICE_SERVICE_HOST: '10.96.0.20',
    NGINX_SERVICE_SERVICE_PORT: '80',
    NGINX_SERVICE_SERVICE_PORT_HTTP: '80',
    NGINX_SERVICE_PORT: 'tcp://10.96.0.20:80',
    NGINX_SERVICE_PORT_80_TCP: 'tcp://10.96.0.20:80',
    NGINX_SERVICE_PORT_80_TCP_PROTO: 'tcp',
    NGINX_SERVICE_PORT_80_TCP_PORT: '80',
    NGINX_SERVICE_PORT_80_TCP_ADDR: '10.96.0.20',
    NGINX_SERVICE_PORT_53_UDP: 'udp://10.96.0.20:53',
    NGINX_SERVICE_PORT_53_UDP_PROTO: 'udp',
    NGINX_SERVICE_PORT_53_UDP_PORT: '53',
    NGINX_SERVICE_PORT_53_UDP_ADDR: '10.96.0.20',
  });
  const v6 = serviceEnvVars({ namespace: 'x', name: 'a', clusterIP: 'fd00::5', ports: [{ port: 80 }] });
  assert.equal(v6.find((v) => v.name === 'A_PORT')?.value, 'tcp://[fd00::5]:80');
});

test('container env: kubernetes service always, namespace services unless disabled, own env wins and expands', () => {
  const services = [
    { namespace: 'default', name: 'kubernetes', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] },
    { namespace: 'web', name: 'db', clusterIP: '10.96.0.30', ports: [{ port: 5432 }] },
    { namespace: 'other', name: 'cache', clusterIP: '10.96.0.40', ports: [{ port: 6379 }] },
  ];
  const p = pod();
  const env = containerEnv(p, { name: 'c', env: [{ name: 'DB', value: '$(DB_SERVICE_HOST):$(DB_SERVICE_PORT)' }, { name: 'KEEP', value: '$(NOPE) $$(X)' }, { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }, services, { HOSTNAME: 'p1' });
  assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
  assert.equal(env.get('DB'), '10.96.0.30:5432');
  assert.equal(env.get('KEEP'), '$(NOPE) $(X)');
  assert.equal(env.get('ME'), 'p1');
  assert.equal(env.get('HOSTNAME'), 'p1');
  assert.equal(env.has('CACHE_SERVICE_HOST'), false);
  const noLinks = containerEnv(pod({ enableServiceLinks: false }), { name: 'c' }, services);
  assert.equal(noLinks.has('DB_SERVICE_HOST'), false);
  assert.equal(noLinks.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(expandVars('a$(B)c', new Map([['B', 'b']])), 'abc');
});
