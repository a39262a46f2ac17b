// exec/attach over SPDY/3.1 (kubectl ≤1.29 by default, later ones with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false
// or when the WebSocket upgrade fails): the client opens one stream per channel (streamType error, stdin,
// stdout, stderr, resize); once every expected stream is there the command starts, as the kubelet's
// waitForStreams does (30 s stream-creation timeout).
import { runExec, type ExecCall } from './exec.ts';
import { expectedSpdyStreams, parseResizes } from './protocol.ts';
import type { SpdySession, SpdyStream } from './spdy-session.ts';
import type { StreamingRuntime } from './types.ts';

export const STREAM_CREATION_TIMEOUT_MS = 30_000;

export interface SpdyExecHandle {
  onStream(stream: SpdyStream): void;
  onClose(): void;
}

export function execOverSpdy(session: () => SpdySession, call: ExecCall, runtime: StreamingRuntime): SpdyExecHandle {
  const expected = expectedSpdyStreams(call.request, call.protocol);
  const streams = new Map<string, SpdyStream>();
  let started = false;
  let gone: (() => void) | undefined;
  let closed = false;
  const timer = setTimeout(() => {
    if (!started) session().goAway();
  }, STREAM_CREATION_TIMEOUT_MS);
  timer.unref();

  const start = (): void => {
    started = true;
    clearTimeout(timer);
    const error = streams.get('error')!;
    let resize: ((w: number, h: number) => void) | undefined;
    const resizeStream = streams.get('resize');
    if (resizeStream) {
      let text = '';
      resizeStream.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const last = text.lastIndexOf('}');
        if (last < 0) return;
        for (const size of parseResizes(text.slice(0, last + 1))) resize?.(size.width, size.height);
        text = text.slice(last + 1);
      });
    }
    // The client never writes on the error stream; drain it so its FIN is seen.
    error.resume();
    void runExec(runtime, call, {
      stdin: streams.get('stdin') ?? null,
      stdout: streams.get('stdout') ?? null,
      stderr: streams.get('stderr') ?? null,
      onResize: (l) => (resize = l),
      onClientGone: (l) => {
        gone = l;
        if (closed) l();
      },
      finish: (status) => {
        if (status.length) error.write(status);
        // Every stream FINs after its queued data; then GOAWAY and the connection ends (kubelet: conn.Close()).
        const ended = [...streams.values()].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.once('finish', () => resolve());
              s.once('close', () => resolve());
              s.end();
            }),
        );
        void Promise.all(ended).then(() => session().goAway());
      },
    });
  };

  return {
    onStream(stream) {
      const type = stream.streamType;
      if (!expected.includes(type) || streams.has(type)) {
        stream.reset();
        return;
      }
      stream.reply();
      streams.set(type, stream);
      if (!started && expected.every((t) => streams.has(t))) start();
    },
    onClose() {
      closed = true;
      clearTimeout(timer);
      gone?.();
    },
  };
}
