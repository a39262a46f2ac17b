// The HTTP listener: TCP loopback and unix socket, chunked watch streams, keep-alive, and the node proxy
// (pods/log streamed, pods/exec upgraded and piped both ways) against a fake node agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApiCore, memoryBackend, startApiServer } from '../../src/apiserver/index.ts';
import { ApiClient } from '../../src/client/index.ts';

function get(url: string, agent?: http.Agent): Promise<{ status: number; body: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: res.socket as net.Socket }));
      })
      .on('error', reject);
  });
}

test('TCP and unix socket listeners, keep-alive, chunked watch', { timeout: 20_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterip-srv-'));
  const core = await createApiCore({ backend: memoryBackend() });
  const server = await startApiServer({ core, port: 0, socketPath: path.join(dir, 'api.sock') });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const a = await get(`${server.url}/version`, agent);
    const b = await get(`${server.url}/readyz`, agent);
    assert.equal(JSON.parse(a.body).gitVersion, 'v1.33.0');
    assert.equal(b.body, 'ok');
    assert.equal(a.socket, b.socket, 'keep-alive reuses the connection');

    const viaSocket = new ApiClient({ server: `unix://${path.join(dir, 'api.sock')}` });
    const ns = await viaSocket.get<{ metadata: { name: string } }>('/api/v1/namespaces/default');
    assert.equal(ns.metadata.name, 'default');

    // A watch streams events as they happen.
    const events: string[] = [];
    const handle = viaSocket.watch('/api/v1/namespaces/default/configmaps', {}, (e) => events.push(`${e.type} ${e.object.metadata.name}`));
    await new Promise((r) => setTimeout(r, 100));
    await viaSocket.create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' } });
    for (let i = 0; i < 250 && events.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    handle.stop();
    assert.deepEqual(events, ['ADDED cm1']);
  } finally {
    agent.destroy();
    await server.close();
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('node proxy: logs stream from the agent, exec upgrades are piped both ways', { timeout: 20_000 }, async () => {
  const seen: string[] = [];
  // A fake node agent with the kubelet's paths.
  const agentServer = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('line 1\n');
    setTimeout(() => res.end('line 2\n'), 20);
  });
  agentServer.on('upgrade', (req, socket: net.Socket) => {
    seen.push(`UPGRADE ${req.url} ${req.headers['x-stream-protocol-version'] ?? ''}`);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    // http.Server sockets are half-open: end ours when the proxy ends its side.
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((r) => agentServer.listen(0, '127.0.0.1', () => r()));
  const agentPort = (agentServer.address() as net.AddressInfo).port;
  const core = await createApiCore({ backend: memoryBackend() });
  const server = await startApiServer({ core, port: 0 });
  const client = new ApiClient({ server: server.url });
  try {
    await client.create('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: {},
      status: { daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } },
    });
    await client.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    });
    const log = await get(`${server.url}/api/v1/namespaces/default/pods/p/log?follow=true&tailLines=5`);
    assert.equal(log.status, 200);
    assert.equal(log.body, 'line 1\nline 2\n');
    assert.equal(seen[0], 'GET /containerLogs/default/p/c?follow=true&tailLines=5');

    const unscheduled = await client.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'q' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.ok(unscheduled);
    // As Kubernetes: an unscheduled pod's log is empty, exec on it is refused.
    const empty = await get(`${server.url}/api/v1/namespaces/default/pods/q/log`);
    assert.equal(empty.status, 200);
    assert.equal(empty.body, '');
    const refused = await get(`${server.url}/api/v1/namespaces/default/pods/q/exec?command=true`);
    assert.equal(refused.status, 400);
    assert.equal(JSON.parse(refused.body).message, 'pod q does not have a host assigned');

    // exec over an SPDY-style upgrade: the request reaches the agent's /exec path and bytes flow both ways.
    const echoed = await new Promise<string>((resolve, reject) => {
      const s = net.connect(server.port, '127.0.0.1', () => {
        s.write(
          'POST /api/v1/namespaces/default/pods/p/exec?command=sh&stdin=true&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n',
        );
      });
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\r\n\r\n') && !buf.includes('echo:')) s.write('hello');
        if (buf.includes('echo:hello')) {
          s.destroy();
          resolve(buf);
        }
      });
      s.on('error', reject);
    });
    assert.match(echoed, /^HTTP\/1\.1 101 Switching Protocols/);
    assert.equal(seen[1], 'UPGRADE /exec/default/p/c?command=sh&stdin=true&stdout=true v4.channel.k8s.io');
  } finally {
    await server.close();
    await core.close();
    await new Promise<void>((r) => {
      agentServer.close(() => r());
      agentServer.closeAllConnections();
    });
  }
});

test('kubectl exec and logs through the API server to a node agent (WebSocket v5.channel.k8s.io)', { timeout: 30_000 }, async () => {
  const { WebSocketServer } = await import('ws');
  const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
  if (!fs.existsSync(kubectl)) return;
  const seen: string[] = [];
  const agentServer = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('a log line\n');
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  agentServer.on('upgrade', (req, socket, head) => {
    seen.push(`UPGRADE ${req.url}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // stdout on channel 1, then the exit Status on channel 3, as the kubelet's streaming server does.
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('hello from exec\n')]));
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]));
      ws.close(1000);
    });
  });
  await new Promise<void>((r) => agentServer.listen(0, '127.0.0.1', () => r()));
  const agentPort = (agentServer.address() as net.AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterip-exec-'));
  const core = await createApiCore({ backend: memoryBackend() });
  const server = await startApiServer({ core, port: 0 });
  try {
    const client = new ApiClient({ server: server.url });
    await client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {}, status: { daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } } });
    await client.create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } });
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: ${server.url}\n  name: c\ncontexts:\n- context:\n    cluster: c\n    user: u\n    namespace: default\n  name: c\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`);
    const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) =>
        execFile(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args], { timeout: 20_000, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const exec = await run(['exec', 'p', '--', 'echo', 'hi']);
    assert.equal(exec.stdout, 'hello from exec\n', exec.stderr);
    assert.equal(exec.code, 0, exec.stderr);
    assert.ok(seen.some((s) => s.startsWith('UPGRADE /exec/default/p/c?') && s.includes('command=echo') && s.includes('command=hi')), seen.join('\n'));
    const logs = await run(['logs', 'p', '--tail=5']);
    assert.equal(logs.stdout, 'a log line\n', logs.stderr);
    assert.ok(seen.includes('GET /containerLogs/default/p/c?tailLines=5'), seen.join('\n'));
  } finally {
    await server.close();
    await core.close();
    wss.close();
    await new Promise<void>((r) => {
      agentServer.close(() => r());
      agentServer.closeAllConnections();
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
