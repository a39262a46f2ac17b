// Pure decisions of the kubectl streaming protocols: which protocol version to speak, what the request asks
// for, which SPDY streams to wait for, and the Status the kubelet reports when a command ends.

/** remotecommand protocol names (k8s.io/apimachinery/pkg/util/remotecommand). */
export const StreamProtocol = {
  V1: 'channel.k8s.io',
  V2: 'v2.channel.k8s.io',
  V3: 'v3.channel.k8s.io',
  V4: 'v4.channel.k8s.io',
  V5: 'v5.channel.k8s.io',
  V1Base64: 'base64.channel.k8s.io',
  V4Base64: 'v4.base64.channel.k8s.io',
  V5Base64: 'v5.base64.channel.k8s.io',
} as const;

/** Port-forward protocol names. */
export const PortForwardProtocol = {
  SPDY: 'portforward.k8s.io',
  /** kubectl 1.31+: SPDY/3.1 frames inside binary WebSocket messages. */
  TUNNEL: 'SPDY/3.1+portforward.k8s.io',
} as const;

/** What the kubelet offers over SPDY for exec/attach, in its order of preference. */
export const SPDY_EXEC_PROTOCOLS = [StreamProtocol.V4, StreamProtocol.V3, StreamProtocol.V2, StreamProtocol.V1];

/** What we offer over WebSocket for exec/attach (kubectl 1.30+ offers v5 then v4). */
export const WEBSOCKET_EXEC_PROTOCOLS = [
  StreamProtocol.V5,
  StreamProtocol.V4,
  StreamProtocol.V5Base64,
  StreamProtocol.V4Base64,
  StreamProtocol.V1,
  StreamProtocol.V1Base64,
];

/**
 * As httpstream.Handshake: the first protocol the client lists that the server supports; a client that sends
 * no X-Stream-Protocol-Version at all gets the legacy protocol (''); no overlap is an error.
 */
export function negotiateProtocol(
  clientProtocols: string[],
  serverProtocols: readonly string[],
): { protocol: string } | { error: string } {
  const offered = clientProtocols.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  if (offered.length === 0) return { protocol: '' };
  const match = offered.find((p) => serverProtocols.includes(p));
  if (match !== undefined) return { protocol: match };
  return {
    error: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${serverProtocols.join(' ')}]`,
  };
}

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The kubelet reads "1"/"true" (the API server forwards kubectl's `true`, Kubernetes' own sends `1`). */
function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true' || v === 'True';
}

/** Query of `/exec/…` and `/attach/…`. As the kubelet: a tty has no separate stderr. */
export function execRequest(url: URL): ExecRequest | { error: string } {
  const q = url.searchParams;
  const req: ExecRequest = {
    command: q.getAll('command'),
    stdin: flag(q, 'stdin') || flag(q, 'input'),
    stdout: flag(q, 'stdout') || flag(q, 'output'),
    stderr: flag(q, 'stderr') || flag(q, 'error'),
    tty: flag(q, 'tty'),
  };
  if (req.tty) req.stderr = false;
  if (!req.stdin && !req.stdout && !req.stderr) return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  return req;
}

/** SPDY stream types the client opens for this request (client-go's v2/v3/v4 protocols), error first. */
export function expectedSpdyStreams(req: ExecRequest, protocol: string): string[] {
  const out = ['error'];
  if (req.stdin) out.push('stdin');
  if (req.stdout) out.push('stdout');
  if (req.stderr) out.push('stderr');
  if (req.tty && (protocol === StreamProtocol.V3 || protocol === StreamProtocol.V4)) out.push('resize');
  return out;
}

/** Whether the error channel carries a JSON Status (v4 and later) or a plain message (v1–v3). */
export function statusIsJson(protocol: string): boolean {
  return [StreamProtocol.V4, StreamProtocol.V5, StreamProtocol.V4Base64, StreamProtocol.V5Base64].includes(
    protocol as typeof StreamProtocol.V4,
  );
}

export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
  code?: number;
}

/**
 * What the kubelet writes on the error channel when the command ends (remotecommand.ServeExec): Success, or
 * NonZeroExitCode with the code as an ExitCode cause — kubectl exits with that code and prints
 * "command terminated with exit code N". The inner text is the CRI runtime's (containerd's) exec error.
 */
export function exitStatus(command: string[], exitCode: number): ExecStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** A failure before the command ran (container not found, attach unsupported): an InternalError Status. */
export function errorStatus(message: string, code = 500): ExecStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: code === 500 ? `Internal error occurred: error executing command in container: ${message}` : message,
    reason: code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : code === 501 ? 'NotImplemented' : 'InternalError',
    code,
  };
}

/** The bytes for the error channel: JSON for v4+, the bare message for older protocols (nothing on success). */
export function encodeStatus(status: ExecStatus, protocol: string): Buffer {
  if (statusIsJson(protocol)) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? Buffer.alloc(0) : Buffer.from(status.message ?? '');
}

/** Terminal sizes from a resize stream/channel: one or more `{"Width":W,"Height":H}` objects back to back. */
export function parseResizes(text: string): { width: number; height: number }[] {
  const out: { width: number; height: number }[] = [];
  for (const m of text.match(/\{[^{}]*\}/g) ?? []) {
    try {
      const v: unknown = JSON.parse(m);
      if (typeof v === 'object' && v !== null) {
        const o = v as Record<string, unknown>;
        if (typeof o.Width === 'number' && typeof o.Height === 'number') out.push({ width: o.Width, height: o.Height });
      }
    } catch {
      // A malformed size is ignored, as the kubelet's decoder loop logs and goes on.
    }
  }
  return out;
}

/** The kubelet's port-forward error text (httpStreamHandler.portForward). */
export function portForwardError(port: number, pod: string, uid: string, cause: string): string {
  return `error forwarding port ${port} to pod ${pod}, uid ${uid}: ${cause}`;
}

/** A port header: 1..65535 or an error in the kubelet's words. */
export function parsePort(value: string | undefined): number | { error: string } {
  const port = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(port)) return { error: `unable to parse "${value ?? ''}" as a port` };
  if (port < 1 || port > 65535) return { error: `port ${port} must be > 0 and < 65536` };
  return port;
}
