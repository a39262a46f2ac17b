// What kubectl really sends: kubectl 1.32+ send `kubectl create …` bodies as Kubernetes protobuf; decoding
// them must give exactly the JSON kubectl 1.31 sends for the same command.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { installedKubectls, startFakeServer } from './formats-fake-server.ts';
import type { FakeServer, RecordedRequest } from './formats-fake-server.ts';
import { decodeProtobufObject, protobufContentType } from '../../src/apiserver/protobuf/index.ts';

const commands: string[][] = [
  ['create', 'namespace', 'x'],
  ['create', 'service', 'clusterip', 'my-svc', '--tcp=80:8080', '--tcp=443:https'],
  ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
  ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
  ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80'],
  ['create', 'deployment', 'multi', '--image=nginx', '--image=busybox'],
  ['create', 'deployment', 'web2', '--image=busybox', '--', 'sleep', '3600'],
  ['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=long=hello world'],
  ['create', 'secret', 'generic', 'sec', '--from-literal=a=b', '--type=Opaque'],
  ['create', 'serviceaccount', 'sa'],
  ['run', 'pod1', '--image=nginx', '--port=80', '--env=A=B', '--labels=app=x', '--', 'nginx', '-g', 'daemon off;'],
];

let server: FakeServer | undefined;
after(async () => {
  await server?.close();
});

async function capture(s: FakeServer, version: string, args: string[]): Promise<RecordedRequest> {
  const before = s.requests.length;
  const r = await s.kubectl(version, args);
  assert.equal(r.code, 0, `kubectl ${version} ${args.join(' ')}: ${r.stderr}`);
  const posts = s.requests.slice(before).filter((q) => q.method === 'POST');
  assert.equal(posts.length, 1, `kubectl ${version} ${args.join(' ')} sends one POST`);
  return posts[0];
}

test('protobuf bodies of kubectl 1.32+ decode to what kubectl 1.31 sends as JSON', { timeout: 120_000 }, async (t) => {
  const installed = await installedKubectls();
  const jsonVersion = '1.31';
  const protoVersions = installed.filter((v) => v === '1.32' || v === '1.33');
  if (!installed.includes(jsonVersion) || protoVersions.length === 0) {
    t.skip('needs kubectl 1.31 and 1.32 or 1.33');
    return;
  }
  // Answer every create with a minimal object: kubectl only prints its kind and name.
  server = await startFakeServer((req) => {
    if (req.method !== 'POST') return undefined;
    const type = String(req.headers['content-type'] ?? '');
    const obj = type.startsWith(protobufContentType) ? decodeProtobufObject(req.body) : (JSON.parse(req.body.toString()) as { kind: string; apiVersion: string; metadata: object });
    return { status: 201, body: { kind: obj.kind, apiVersion: obj.apiVersion, metadata: { ...obj.metadata, namespace: 'default', uid: 'u1', resourceVersion: '1' } } };
  });
  const s = server;
  let protobufSeen = 0;
  for (const args of commands) {
    const reference = await capture(s, jsonVersion, args);
    assert.match(String(reference.headers['content-type']), /^application\/json/);
    const want = JSON.parse(reference.body.toString()) as unknown;
    for (const v of protoVersions) {
      const req = await capture(s, v, args);
      assert.equal(req.url, reference.url, `${v} ${args.join(' ')}: same request`);
      const type = String(req.headers['content-type']);
      if (type.startsWith(protobufContentType)) {
        protobufSeen++;
        assert.deepEqual(decodeProtobufObject(req.body), want, `${v} ${args.join(' ')}`);
      } else {
        // kubectl run still sends JSON in 1.32/1.33.
        assert.match(type, /^application\/json/);
        assert.deepEqual(JSON.parse(req.body.toString()), want, `${v} ${args.join(' ')}`);
      }
    }
  }
  assert.ok(protobufSeen >= (commands.length - 1) * protoVersions.length, `protobuf bodies seen: ${protobufSeen}`);
});
