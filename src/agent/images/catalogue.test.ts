import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageRepository, resolveImage } from './catalogue.ts';
import { nginxConfig } from './nginx.ts';
import type { Container } from '../../api/index.ts';

test('image repository normalisation', () => {
  const cases: [string, string][] = [
    ['nginx', 'nginx'],
    ['nginx:1.23', 'nginx'],
    ['docker.io/library/nginx:latest', 'nginx'],
    ['nginx@sha256:abcd', 'nginx'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.45', 'registry.k8s.io/e2e-test-images/agnhost'],
    ['localhost:5000/busybox:1', 'localhost:5000/busybox'],
    ['curlimages/curl:8.1.2', 'curlimages/curl'],
  ];
  for (const [image, want] of cases) assert.equal(imageRepository(image), want, image);
});

test('catalogue mapping', () => {
  const cases: { name: string; c: Container; want: unknown }[] = [
    { name: 'nginx default port', c: { name: 'x', image: 'nginx:1.23' }, want: { kind: 'nginx', ports: [80] } },
    { name: 'nginx ports', c: { name: 'x', image: 'nginx', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }, want: { kind: 'nginx', ports: [8080] } },
    { name: 'nginx -g', c: { name: 'x', image: 'nginx', command: ['nginx', '-g', 'daemon off;'] }, want: { kind: 'nginx', ports: [80] } },
    { name: 'nginx image runs a shell', c: { name: 'x', image: 'nginx', command: ['sh', '-c', 'echo hi'] }, want: { kind: 'host', argv: ['sh', '-c', 'echo hi'] } },
    { name: 'agnhost args', c: { name: 'x', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['netexec', '--http-port=8080'] }, want: { kind: 'agnhost', args: ['netexec', '--http-port=8080'] } },
    { name: 'agnhost command', c: { name: 'x', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', command: ['/agnhost', 'serve-hostname'] }, want: { kind: 'agnhost', args: ['serve-hostname'] } },
    { name: 'busybox sleep', c: { name: 'x', image: 'busybox:1.36', command: ['sleep', '3600'] }, want: { kind: 'host', argv: ['sleep', '3600'] } },
    { name: 'busybox args only', c: { name: 'x', image: 'busybox', args: ['sh', '-c', 'exit 3'] }, want: { kind: 'host', argv: ['sh', '-c', 'exit 3'] } },
    { name: 'busybox default', c: { name: 'x', image: 'busybox' }, want: { kind: 'host', argv: ['sh'] } },
    { name: 'curl args', c: { name: 'x', image: 'curlimages/curl', args: ['-s', 'http://x'] }, want: { kind: 'host', argv: ['curl', '-s', 'http://x'] } },
    { name: 'alpine', c: { name: 'x', image: 'alpine:3', command: ['/bin/sh', '-c', 'true'] }, want: { kind: 'host', argv: ['/bin/sh', '-c', 'true'] } },
    { name: 'debian', c: { name: 'x', image: 'debian:bookworm' }, want: { kind: 'host', argv: ['bash'] } },
    { name: 'coredns', c: { name: 'x', image: 'registry.k8s.io/coredns/coredns:v1.11.1', args: ['-conf', '/etc/coredns/Corefile'] }, want: { kind: 'dns', args: ['-conf', '/etc/coredns/Corefile'] } },
  ];
  for (const c of cases) {
    const r = resolveImage(c.c);
    assert.ok(r.ok, c.name);
    assert.deepEqual(r.ok && r.program, c.want, c.name);
  }
  const dns = resolveImage({ name: 'x', image: 'registry.k8s.io/coredns/coredns:v1.11.1' });
  assert.ok(dns.ok && dns.system);
  const unknown = resolveImage({ name: 'x', image: 'redis:7' });
  assert.equal(unknown.ok, false);
  assert.match(unknown.ok ? '' : unknown.message, /image "redis:7" is not in clusterip's local catalogue.*command: to run a host program/);
});

test('nginx config listens on each port, logs to stdout/stderr, stays in the foreground', () => {
  const conf = nginxConfig({ dir: '/d', ports: [80, 8080], ipv6: true });
  for (const want of ['listen 80;', 'listen [::]:80;', 'listen 8080;', 'daemon off;', 'access_log /dev/stdout main;', 'error_log stderr', 'pid /d/nginx.pid;', 'root /d/html;']) {
    assert.ok(conf.includes(want), want);
  }
  assert.ok(!nginxConfig({ dir: '/d', ports: [80], ipv6: false }).includes('[::]'));
});
