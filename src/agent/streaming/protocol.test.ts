import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeStatus,
  execRequest,
  expectedSpdyStreams,
  exitStatus,
  negotiateProtocol,
  parsePort,
  parseResizes,
  SPDY_EXEC_PROTOCOLS,
  WEBSOCKET_EXEC_PROTOCOLS,
} from './protocol.ts';
import { decodeChannelMessage, encodeChannelMessage } from './websocket-exec.ts';
import { queryPorts } from './websocket-portforward.ts';

test('negotiateProtocol', () => {
  const rows: { name: string; client: string[]; server: readonly string[]; want: { protocol: string } | { error: string } }[] = [
    {
      name: 'kubectl 1.29 over SPDY offers v5 first: v4 is the best the kubelet speaks there',
      client: ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'],
      server: SPDY_EXEC_PROTOCOLS,
      want: { protocol: 'v4.channel.k8s.io' },
    },
    { name: 'client order wins', client: ['v2.channel.k8s.io', 'v4.channel.k8s.io'], server: SPDY_EXEC_PROTOCOLS, want: { protocol: 'v2.channel.k8s.io' } },
    { name: 'comma-joined header', client: ['v5.channel.k8s.io, v4.channel.k8s.io'], server: WEBSOCKET_EXEC_PROTOCOLS, want: { protocol: 'v5.channel.k8s.io' } },
    { name: 'nothing offered: legacy', client: [], server: SPDY_EXEC_PROTOCOLS, want: { protocol: '' } },
    {
      name: 'no overlap',
      client: ['v9.channel.k8s.io'],
      server: ['portforward.k8s.io'],
      want: { error: 'unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io], server supports [portforward.k8s.io]' },
    },
  ];
  for (const r of rows) assert.deepEqual(negotiateProtocol(r.client, r.server), r.want, r.name);
});

test('execRequest and the SPDY streams it implies', () => {
  const rows: { query: string; protocol: string; want: string[] | { error: string }; command?: string[] }[] = [
    { query: 'command=echo&command=hi&stdout=true&stderr=true', protocol: 'v4.channel.k8s.io', want: ['error', 'stdout', 'stderr'], command: ['echo', 'hi'] },
    { query: 'command=cat&stdin=1&stdout=1&stderr=1', protocol: 'v4.channel.k8s.io', want: ['error', 'stdin', 'stdout', 'stderr'] },
    // A tty has no stderr; v3+ add the resize stream.
    { query: 'command=sh&stdin=true&stdout=true&stderr=true&tty=true', protocol: 'v4.channel.k8s.io', want: ['error', 'stdin', 'stdout', 'resize'] },
    { query: 'command=sh&stdin=true&stdout=true&tty=true', protocol: 'v2.channel.k8s.io', want: ['error', 'stdin', 'stdout'] },
    { query: 'command=sh', protocol: 'v4.channel.k8s.io', want: { error: 'you must specify at least 1 of stdin, stdout, stderr' } },
  ];
  for (const r of rows) {
    const req = execRequest(new URL(`http://kubelet/exec/ns/pod/c?${r.query}`));
    if ('error' in req) {
      assert.deepEqual(req, r.want, r.query);
      continue;
    }
    assert.deepEqual(expectedSpdyStreams(req, r.protocol), r.want, r.query);
    if (r.command) assert.deepEqual(req.command, r.command);
  }
});

test('exitStatus and its encoding per protocol', () => {
  assert.deepEqual(exitStatus(['echo', 'hi'], 0), { metadata: {}, status: 'Success' });
  const failed = exitStatus(['sh', '-c', 'exit 3'], 3);
  assert.equal(
    encodeStatus(failed, 'v5.channel.k8s.io').toString(),
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
  );
  assert.equal(encodeStatus(exitStatus(['true'], 0), 'v4.channel.k8s.io').toString(), '{"metadata":{},"status":"Success"}');
  // v1–v3: a bare message, and nothing at all on success.
  assert.equal(encodeStatus(failed, 'v3.channel.k8s.io').toString(), failed.message);
  assert.equal(encodeStatus(exitStatus(['true'], 0), 'v2.channel.k8s.io').length, 0);
});

test('parseResizes', () => {
  const rows: { text: string; want: { width: number; height: number }[] }[] = [
    { text: '{"Width":80,"Height":24}', want: [{ width: 80, height: 24 }] },
    { text: '{"Width":80,"Height":24}{"Width":100,"Height":30}\n', want: [{ width: 80, height: 24 }, { width: 100, height: 30 }] },
    { text: '{"Width":"x"}', want: [] },
    { text: 'garbage', want: [] },
  ];
  for (const r of rows) assert.deepEqual(parseResizes(r.text), r.want, r.text);
});

test('parsePort', () => {
  assert.equal(parsePort('80'), 80);
  assert.deepEqual(parsePort('0'), { error: 'port 0 must be > 0 and < 65536' });
  assert.deepEqual(parsePort('http'), { error: 'unable to parse "http" as a port' });
  assert.deepEqual(parsePort(undefined), { error: 'unable to parse "" as a port' });
});

test('WebSocket channel messages', () => {
  const rows: { protocol: string; channel: number; data: string; wire: Buffer | string }[] = [
    { protocol: 'v5.channel.k8s.io', channel: 1, data: 'hi', wire: Buffer.from([1, 0x68, 0x69]) },
    { protocol: 'v4.channel.k8s.io', channel: 3, data: '{}', wire: Buffer.from([3, 0x7b, 0x7d]) },
    { protocol: 'v4.base64.channel.k8s.io', channel: 1, data: 'hi', wire: '1aGk=' },
    { protocol: 'base64.channel.k8s.io', channel: 2, data: '', wire: '2' },
  ];
  for (const r of rows) {
    const wire = encodeChannelMessage(r.protocol, r.channel, Buffer.from(r.data));
    assert.deepEqual(wire, r.wire, r.protocol);
    const back = decodeChannelMessage(r.protocol, Buffer.isBuffer(wire) ? wire : Buffer.from(wire), !(typeof wire === 'string'));
    assert.deepEqual(back, { channel: r.channel, data: Buffer.from(r.data) }, r.protocol);
  }
  assert.equal(decodeChannelMessage('v5.channel.k8s.io', Buffer.alloc(0), true), undefined);
  assert.deepEqual(decodeChannelMessage('v5.channel.k8s.io', Buffer.from([255, 0]), true), { channel: 255, data: Buffer.from([0]) });
});

test('queryPorts (plain WebSocket port-forward)', () => {
  const rows: { query: string; want: number[] | { error: string } }[] = [
    { query: 'port=80', want: [80] },
    { query: 'ports=80,8080&ports=53', want: [80, 8080, 53] },
    { query: '', want: { error: 'query parameter "port" is required' } },
    { query: 'port=', want: { error: 'query parameter "port" cannot be empty' } },
    { query: 'port=0', want: { error: 'port "0" must be > 0' } },
    { query: 'port=http', want: { error: 'unable to parse "http" as a port' } },
    { query: 'port=70000', want: { error: 'unable to parse "70000" as a port' } },
  ];
  for (const r of rows) assert.deepEqual(queryPorts(new URL(`http://kubelet/portForward/ns/pod?${r.query}`)), r.want, r.query);
});
