// port-forward over SPDY (raw, or tunnelled in WebSocket messages by kubectl 1.31+): for every local
// connection kubectl opens two streams sharing a requestID — streamType=error, then streamType=data, each
// with the target port. Once both are there we dial the pod (runtime.portForward) and pipe the data stream
// both ways; a failure is written as text on the error stream, then both streams close (as the kubelet's
// httpStreamHandler.portForward).
import type net from 'node:net';
import { parsePort, portForwardError } from './protocol.ts';
import type { SpdySession, SpdyStream } from './spdy-session.ts';
import type { PodRef, StreamingRuntime } from './types.ts';
import { STREAM_CREATION_TIMEOUT_MS } from './spdy-exec.ts';

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

export interface PortForwardHandle {
  onStream(stream: SpdyStream): void;
  onClose(): void;
}

/**
 * The request a stream belongs to: its requestID header, or for old clients without one the kubelet's rule
 * (the error stream's id; a data stream follows its error stream, two ids later).
 */
export function requestIdOf(stream: { id: number; headers: Record<string, string> }): string {
  const id = stream.headers.requestid;
  if (id !== undefined && id !== '') return id;
  return String(stream.headers.streamtype === 'data' ? stream.id - 2 : stream.id);
}

export function portForwardOverSpdy(_session: () => SpdySession, pod: PodRef, runtime: StreamingRuntime): PortForwardHandle {
  const pairs = new Map<string, Pair>();
  const sockets = new Set<net.Socket>();
  const podName = `${pod.name}_${pod.namespace}`;

  const fail = (pair: Required<Omit<Pair, 'timer'>>, message: string): void => {
    pair.error.end(message);
    pair.data.end();
  };

  const forward = async (pair: Required<Omit<Pair, 'timer'>>): Promise<void> => {
    // The client never writes on the error stream; drain it so its FIN is seen.
    pair.error.resume();
    const port = parsePort(pair.data.headers.port);
    if (typeof port !== 'number') return fail(pair, port.error);
    let socket: net.Socket;
    try {
      socket = await runtime.portForward(pod, port);
    } catch (err) {
      return fail(pair, portForwardError(port, podName, pod.uid ?? '', err instanceof Error ? err.message : String(err)));
    }
    const { data, error } = pair;
    if (data.destroyed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setNoDelay?.(true);
    socket.pipe(data);
    data.pipe(socket);
    let failed = false;
    socket.on('error', (err) => {
      failed = true;
      if (!error.writableEnded) error.end(portForwardError(port, podName, pod.uid ?? '', err.message));
      data.end();
    });
    data.on('close', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      if (!failed) error.end();
      data.end();
    });
  };

  return {
    onStream(stream) {
      const type = stream.streamType;
      if (type !== 'error' && type !== 'data') {
        stream.reset();
        return;
      }
      const key = requestIdOf(stream);
      let pair = pairs.get(key);
      if (!pair) {
        const timer = setTimeout(() => {
          const p = pairs.get(key);
          pairs.delete(key);
          p?.error?.reset();
          p?.data?.reset();
        }, STREAM_CREATION_TIMEOUT_MS);
        timer.unref();
        pair = { timer };
        pairs.set(key, pair);
      }
      if (pair[type]) {
        stream.reset();
        return;
      }
      pair[type] = stream;
      stream.reply();
      if (pair.error && pair.data) {
        clearTimeout(pair.timer);
        pairs.delete(key);
        void forward({ error: pair.error, data: pair.data });
      }
    },
    onClose() {
      for (const p of pairs.values()) clearTimeout(p.timer);
      pairs.clear();
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}
