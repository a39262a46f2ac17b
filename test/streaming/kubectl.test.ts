// Real kubectl (1.27, 1.29 SPDY-only defaults; 1.31 and 1.33 WebSocket defaults) against the real API server's
// proxy and the node agent's kubelet server with our exec/port-forward protocols, pods being local processes.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { KUBECTL_DIR, startStreamingCluster, type LocalRuntime, type StreamingCluster } from './harness.ts';

const VERSIONS = (process.env.STREAMING_KUBECTL_VERSIONS?.split(',') ?? ['1.27', '1.29', '1.30', '1.31', '1.33']).filter((v) => fs.existsSync(`${KUBECTL_DIR}/kubectl.${v}`));
const SPDY_EXEC = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
const SPDY_PORT_FORWARD = { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let cluster: StreamingCluster & { runtime: LocalRuntime };

function kubectlArgs(args: string[]): string[] {
  return ['--kubeconfig', cluster.cp.kubeconfig, '--cache-dir', path.join(cluster.cp.dir, 'cache'), '-n', cluster.namespace, ...args];
}

function kubectlEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: '', KUBECTL_PORT_FORWARD_WEBSOCKETS: '', ...env, HOME: cluster.cp.dir };
}

function kubectl(version: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      `${KUBECTL_DIR}/kubectl.${version}`,
      kubectlArgs(args),
      { env: kubectlEnv(env), timeout: 15_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

/** kubectl inside a pseudo-terminal (util-linux `script`), so that `-t` really asks for a tty. */
function kubectlInTty(version: string, args: string[]): Promise<Run> {
  const quoted = [`${KUBECTL_DIR}/kubectl.${version}`, ...kubectlArgs(args)].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-q', '-e', '-c', `stty cols 91 rows 37; ${quoted}`, '/dev/null'],
      { env: kubectlEnv({}), timeout: 15_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function lastEvent(): { kind: string; transport: string; protocol: string } | undefined {
  return cluster.events.at(-1);
}

function get(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** `kubectl port-forward pod/x 0:<port>`: the local port from "Forwarding from 127.0.0.1:N -> port". */
async function withPortForward(version: string, podPort: number, env: Record<string, string>, use: (localPort: number, stderr: () => string) => Promise<void>): Promise<void> {
  const child = spawn(`${KUBECTL_DIR}/kubectl.${version}`, kubectlArgs(['port-forward', `pod/${cluster.pod}`, `0:${podPort}`, '--address', '127.0.0.1']), {
    env: kubectlEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const localPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "Forwarding from" line; stderr: ${stderr}`)), 10_000);
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          assert.equal(Number(m[2]), podPort);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${stderr}`)));
    });
    await use(localPort, () => stderr);
  } finally {
    child.kill('SIGKILL');
  }
}

before(async () => {
  cluster = await startStreamingCluster();
});

after(async () => {
  await cluster?.close();
});

for (const version of VERSIONS) {
  const minor = Number(version.split('.')[1]);
  const execTransport = minor >= 30 ? 'websocket' : 'spdy';
  const portForwardTransport = minor >= 31 ? 'websocket' : 'spdy';

  describe(`kubectl ${version}`, { concurrency: false }, () => {
    const modes: { name: string; env: Record<string, string>; transport: string }[] = [
      { name: 'default', env: {}, transport: execTransport },
    ];
    if (execTransport === 'websocket') modes.push({ name: 'SPDY fallback', env: SPDY_EXEC, transport: 'spdy' });

    for (const mode of modes) {
      test(`exec (${mode.name}: ${mode.transport})`, async () => {
        const hi = await kubectl(version, ['exec', cluster.pod, '--', 'echo', 'hi'], mode.env);
        assert.deepEqual(hi, { code: 0, stdout: 'hi\n', stderr: '' });
        assert.equal(lastEvent()?.transport, mode.transport);
        assert.equal(lastEvent()?.protocol, mode.transport === 'websocket' ? 'v5.channel.k8s.io' : 'v4.channel.k8s.io');

        const exit3 = await kubectl(version, ['exec', cluster.pod, '--', 'sh', '-c', 'exit 3'], mode.env);
        assert.equal(exit3.code, 3, exit3.stderr);
        assert.equal(exit3.stderr, 'command terminated with exit code 3\n');

        const split = await kubectl(version, ['exec', cluster.pod, '--', 'sh', '-c', 'echo out; echo err >&2; exit 0'], mode.env);
        assert.deepEqual(split, { code: 0, stdout: 'out\n', stderr: 'err\n' });

        const cat = await kubectl(version, ['exec', '-i', cluster.pod, '--', 'cat'], mode.env, 'abc\n');
        assert.deepEqual(cat, { code: 0, stdout: 'abc\n', stderr: '' });

        // More than one SPDY data frame / WebSocket message each way.
        const big = 'x'.repeat(200_000);
        const wc = await kubectl(version, ['exec', '-i', cluster.pod, '--', 'wc', '-c'], mode.env, big);
        assert.equal(wc.code, 0, wc.stderr);
        assert.equal(wc.stdout.trim(), String(big.length));

        const missing = await kubectl(version, ['exec', cluster.pod, '--', '/nonexistent/program'], mode.env);
        assert.notEqual(missing.code, 0);
      });
    }

    if (version === VERSIONS.at(-1) && execTransport === 'websocket') {
      test('exec outlives kubectl\'s 5 s heartbeat (pings answered)', async () => {
        const r = await kubectl(version, ['exec', cluster.pod, '--', 'sh', '-c', 'sleep 6; echo awake']);
        assert.deepEqual(r, { code: 0, stdout: 'awake\n', stderr: '' });
      });

      test('exec ends when the command exits even if a background child keeps stdout open', async () => {
        for (const env of [{}, SPDY_EXEC]) {
          const started = Date.now();
          const r = await kubectl(version, ['exec', cluster.pod, '--', 'sh', '-c', 'sleep 3 & echo started'], env);
          assert.deepEqual(r, { code: 0, stdout: 'started\n', stderr: '' });
          assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
        }
      });
    }

    test(`exec -t in a terminal (${execTransport})`, async () => {
      const before = cluster.runtime.resizes.length;
      const r = await kubectlInTty(version, ['exec', '-it', cluster.pod, '--', 'sh', '-c', 'sleep 0.3; echo in-tty; exit 4']);
      assert.match(r.stdout, /in-tty/);
      assert.equal(r.code, 4, r.stdout);
      // kubectl sends the terminal's size first thing (resize stream / channel 4).
      assert.deepEqual(cluster.runtime.resizes.slice(before)[0], [91, 37]);
    });

    const pfModes: { name: string; env: Record<string, string>; transport: string }[] = [
      { name: 'default', env: {}, transport: portForwardTransport },
    ];
    if (portForwardTransport === 'websocket') pfModes.push({ name: 'SPDY fallback', env: SPDY_PORT_FORWARD, transport: 'spdy' });
    for (const mode of pfModes) {
      test(`port-forward (${mode.name}: ${mode.transport})`, async () => {
        await withPortForward(version, 80, mode.env, async (localPort) => {
          const served = cluster.httpRequests();
          for (let i = 0; i < 3; i++) assert.equal(await get(localPort, `/seq/${i}`), `hello from the pod: /seq/${i}\n`);
          const bodies = await Promise.all([0, 1, 2, 3].map((i) => get(localPort, `/par/${i}`)));
          assert.deepEqual(bodies, [0, 1, 2, 3].map((i) => `hello from the pod: /par/${i}\n`));
          assert.equal(cluster.httpRequests() - served, 7);
          assert.equal(lastEvent()?.kind, 'portForward');
          assert.equal(lastEvent()?.transport, mode.transport);
        });
      });
    }

    test('port-forward to a closed pod port reports the kubelet error', async () => {
      await withPortForward(version, 81, {}, async (localPort, stderr) => {
        await assert.rejects(get(localPort, '/'));
        const deadline = Date.now() + 5000;
        while (!/error forwarding port 81 to pod shell_/.test(stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.match(stderr(), /error forwarding port 81 to pod shell_stream-\d+, uid : /);
      });
    });
  });
}

test('plain WebSocket port-forward (v4.channel.k8s.io, ports in the query) through the API server', async () => {
  const url = `${cluster.cp.url.replace(/^http/, 'ws')}/api/v1/namespaces/${cluster.namespace}/pods/${cluster.pod}/portforward?ports=80`;
  const ws = new WebSocket(url, ['v4.channel.k8s.io']);
  const messages: Buffer[] = [];
  const closed = new Promise<number>((resolve, reject) => {
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
  ws.on('message', (data: Buffer) => messages.push(data));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /ws HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n')]));
  assert.equal(await closed, 1000);
  // Each channel opens with the port (little-endian uint16), then data on channel 0 only.
  assert.deepEqual(messages.slice(0, 2).map((m) => [...m]), [[0, 80, 0], [1, 80, 0]]);
  const body = Buffer.concat(messages.slice(2).map((m) => {
    assert.equal(m[0], 0);
    return m.subarray(1);
  })).toString();
  assert.match(body, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello from the pod: \/ws\n$/);
  assert.equal(lastEvent()?.protocol, 'v4.channel.k8s.io');
});

test('every exec process was reaped and every connection closed once kubectl left', async () => {
  const deadline = Date.now() + 3000;
  while ((cluster.liveProcesses() > 0 || cluster.openStreams().length > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(cluster.liveProcesses(), 0);
  assert.deepEqual(cluster.openStreams(), []);
});
