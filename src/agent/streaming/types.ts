// The contract between the agent and the kubectl streaming protocols (exec/attach over WebSocket
// v5.channel.k8s.io and SPDY, port-forward): the agent provides a StreamingRuntime, the protocol side
// (src/agent/streaming/index.ts) speaks to kubectl and calls it.
import type { Readable, Writable } from 'node:stream';
import type net from 'node:net';

/** Which pod/container a request names, as the kubelet URL carries them. */
export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

export interface ExecOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** A process started in a container (its network, mount and UTS namespaces). */
export interface ExecProcess {
  /** Present when ExecOptions.stdin. */
  stdin: Writable | null;
  stdout: Readable | null;
  /** Null with a tty (stderr merges into stdout). */
  stderr: Readable | null;
  /** Terminal size change (tty only; no-op otherwise). */
  resize(width: number, height: number): void;
  /** Resolves with the exit code (128+signal when killed by a signal). */
  exit: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

export class StreamingError extends Error {
  /** HTTP status to answer with (404 pod/container not found, 400 bad request…). */
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export interface StreamingRuntime {
  /** Runs `command` in the container; throws StreamingError(404) when the pod/container is not running. */
  exec(pod: PodRef, container: string, command: string[], options: ExecOptions): Promise<ExecProcess>;
  /** Attaches to the container's main process (not supported: throws StreamingError(501)). */
  attach(pod: PodRef, container: string, options: ExecOptions): Promise<ExecProcess>;
  /** A TCP connection to the pod's port, made from the node namespace to the pod IP. */
  portForward(pod: PodRef, port: number): Promise<net.Socket>;
}
