// Real kubectl (every installed 1.27..1.33) against our OpenAPI documents, served by a stand-in server:
// default (strict) validation of `kubectl apply` must pass for the seed manifest and fail, in Kubernetes'
// words, for an unknown field; `kubectl explain` must describe Service and Pod fields.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { installedKubectls, startFakeServer, status } from './formats-fake-server.ts';
import type { FakeServer } from './formats-fake-server.ts';
import { strictDecodingMessage, unknownFields } from '../../src/apiserver/openapi/index.ts';
import { SEED_MANIFEST } from '../support/seed.ts';

const manifest = SEED_MANIFEST;

// Objects are never stored: every GET is a 404 and every create succeeds unless strict validation refuses it.
let server: FakeServer | undefined;
after(async () => {
  await server?.close();
});

test('kubectl apply validation and explain work with our OpenAPI', { timeout: 120_000 }, async (t) => {
  const versions = await installedKubectls();
  if (versions.length === 0) {
    t.skip('no kubectl installed under /usr/lib/google-cloud-sdk/bin');
    return;
  }
  server = await startFakeServer((req) => {
    const url = new URL(req.url, 'http://x');
    const segments = url.pathname.split('/');
    const name = segments.at(-1) ?? '';
    const resource = segments.at(-2) ?? '';
    if (req.method === 'GET') return status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
    if (req.method === 'POST') {
      const obj = JSON.parse(req.body.toString()) as { apiVersion: string; kind: string; metadata: Record<string, unknown> };
      const unknown = unknownFields(obj.apiVersion, obj.kind, obj);
      if (url.searchParams.get('fieldValidation') === 'Strict' && unknown.length > 0) {
        return status(400, 'BadRequest', strictDecodingMessage(obj.apiVersion, obj.kind, unknown));
      }
      return { status: 201, body: { ...obj, metadata: { ...obj.metadata, namespace: 'default', uid: 'u1', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' } } };
    }
    return undefined;
  });
  const s = server;
  const bad = manifest.replace('  type: ClusterIP', '  type: ClusterIP\n  foo: bar').replace('    image: nginx:1.23', '    image: nginx:1.23\n    imagePolicy: Always');

  await Promise.all(
    versions.map(async (v) => {
      const ok = await s.kubectl(v, ['apply', '-f', '-'], manifest);
      assert.equal(ok.stderr, '', `kubectl ${v} apply stderr`);
      assert.equal(ok.stdout, 'service/nginx-service created\npod/nginx-pod created\n', `kubectl ${v} apply`);

      const refused = await s.kubectl(v, ['apply', '-f', '-'], bad);
      assert.notEqual(refused.code, 0, `kubectl ${v} apply of unknown fields must fail`);
      assert.equal(
        refused.stderr,
        'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"\n' +
          'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePolicy"\n',
        `kubectl ${v} apply unknown field`,
      );

      const svcSpec = await s.kubectl(v, ['explain', 'service.spec']);
      assert.equal(svcSpec.code, 0, `kubectl ${v} explain service.spec: ${svcSpec.stderr}`);
      assert.match(svcSpec.stdout, /KIND:\s+Service/);
      assert.match(svcSpec.stdout, /VERSION:\s+v1/);
      assert.match(svcSpec.stdout, /FIELD:\s+spec <ServiceSpec>/);
      assert.match(svcSpec.stdout, /clusterIP\s+<string>/);
      assert.match(svcSpec.stdout, /ports\s+<\[\]ServicePort>/);
      assert.match(svcSpec.stdout, /selector\s+<map\[string\]string>/);
      assert.match(svcSpec.stdout, /How the Service is exposed: ClusterIP \(default\)/);

      const ports = await s.kubectl(v, ['explain', 'service.spec.ports']);
      assert.equal(ports.code, 0, `kubectl ${v} explain service.spec.ports: ${ports.stderr}`);
      assert.match(ports.stdout, /FIELD:\s+ports <\[\]ServicePort>/);
      assert.match(ports.stdout, /port\s+<integer> -required-/);
      assert.match(ports.stdout, /targetPort\s+<IntOrString>/);

      const containers = await s.kubectl(v, ['explain', 'pod.spec.containers']);
      assert.equal(containers.code, 0, `kubectl ${v} explain pod.spec.containers: ${containers.stderr}`);
      assert.match(containers.stdout, /KIND:\s+Pod/);
      assert.match(containers.stdout, /FIELD:\s+containers <\[\]Container>/);
      assert.match(containers.stdout, /image\s+<string>/);
      assert.match(containers.stdout, /name\s+<string> -required-/);

      const deploy = await s.kubectl(v, ['explain', 'deployment.spec.template.spec.containers.ports']);
      assert.equal(deploy.code, 0, `kubectl ${v} explain deployment…ports: ${deploy.stderr}`);
      assert.match(deploy.stdout, /containerPort\s+<integer> -required-/);
    }),
  );
});
