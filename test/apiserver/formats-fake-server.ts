// A tiny stand-in API server for testing the api-formats modules (openapi, tables, protobuf) with real kubectl
// before the core serves them: discovery from servedResources, /openapi/v2 and /v3 from our module, and
// scripted answers for a few object requests. Every request is recorded (method, url, headers, body bytes).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import {
  openapiV2,
  openapiV2Protobuf,
  openapiV2ProtobufContentType,
  openapiV3Document,
  openapiV3Paths,
  servedResources,
} from '../../src/apiserver/openapi/index.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: RecordedRequest) => { status: number; body: unknown } | undefined;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  dir: string;
  kubeconfig: string;
  kubectl(version: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const shortNames: Record<string, string[]> = {
  services: ['svc'],
  pods: ['po'],
  endpoints: ['ep'],
  namespaces: ['ns'],
  nodes: ['no'],
  events: ['ev'],
  configmaps: ['cm'],
  serviceaccounts: ['sa'],
  deployments: ['deploy'],
  replicasets: ['rs'],
};

function discovery(urlPath: string): unknown {
  if (urlPath === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  if (urlPath === '/apis') {
    const groups = [...new Set(servedResources.filter((r) => r.group !== '').map((r) => r.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
    };
  }
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)$/.exec(urlPath);
  if (!m) return undefined;
  const group = m[1] ?? '';
  const resources = [];
  for (const r of servedResources.filter((x) => x.group === group)) {
    resources.push({
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      ...(shortNames[r.plural] ? { shortNames: shortNames[r.plural] } : {}),
    });
    for (const sub of r.subresources) {
      resources.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { kind: r.kind }),
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? 'v1' : `${group}/v1`, resources };
}

export function status(code: number, reason: string, message: string, details?: unknown): { status: number; body: unknown } {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      const urlPath = new URL(rec.url, 'http://x').pathname;
      let answer: { status: number; body: unknown } | undefined;
      if (rec.method === 'GET') {
        if (urlPath === '/version') answer = { status: 200, body: { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' } };
        else if (urlPath === '/openapi/v2') {
          if ((rec.headers.accept ?? '').includes(openapiV2ProtobufContentType)) {
            const bytes = openapiV2Protobuf();
            res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
            res.end(bytes);
            return;
          }
          answer = { status: 200, body: openapiV2() };
        }
        else if (urlPath === '/openapi/v3') answer = { status: 200, body: openapiV3Paths() };
        else if (urlPath.startsWith('/openapi/v3/')) {
          const doc = openapiV3Document(urlPath.slice('/openapi/v3/'.length));
          answer = doc ? { status: 200, body: doc } : status(404, 'NotFound', 'not found');
        } else {
          const d = discovery(urlPath);
          if (d) answer = { status: 200, body: d };
        }
      }
      answer ??= handler(rec) ?? status(404, 'NotFound', 'the server could not find the requested resource');
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `clusterip-formats-${process.pid}-`));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await fs.writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "${url}"}}]
users: [{name: fake, user: {}}]
contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: default}}]
current-context: fake
`,
  );
  return {
    url,
    requests,
    dir,
    kubeconfig,
    kubectl(version, args, input) {
      return new Promise((resolve) => {
        const child = execFile(
          `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`,
          [`--kubeconfig=${kubeconfig}`, `--cache-dir=${path.join(dir, `cache-${version}`)}`, ...args],
          { timeout: 30_000, env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig } },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export async function installedKubectls(): Promise<string[]> {
  const out: string[] = [];
  for (const v of ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33']) {
    try {
      await fs.access(`/usr/lib/google-cloud-sdk/bin/kubectl.${v}`);
      out.push(v);
    } catch {
      // not installed on this machine
    }
  }
  return out;
}
