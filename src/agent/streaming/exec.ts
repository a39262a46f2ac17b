// Runs one exec/attach against the StreamingRuntime once the protocol side (WebSocket or SPDY) has its
// channels: pipes stdin/stdout/stderr, applies resizes, and reports the end as the kubelet does (one Status
// on the error channel, then the connection closes).
import type { Readable, Writable } from 'node:stream';
import { StreamingError, type ExecProcess, type PodRef, type StreamingRuntime } from './types.ts';
import { encodeStatus, errorStatus, exitStatus, type ExecRequest } from './protocol.ts';

export interface ExecChannels {
  /** Bytes from the client for the process' stdin (ends when the client closes stdin). */
  stdin: Readable | null;
  stdout: Writable | null;
  stderr: Writable | null;
  /** Registers the terminal-size listener (tty). */
  onResize(listener: (width: number, height: number) => void): void;
  /** Registers what to do when the client goes away before the command ends. */
  onClientGone(listener: () => void): void;
  /** Writes the error-channel bytes (the Status) and closes every channel and the connection. */
  finish(status: Buffer): void;
}

export interface ExecCall {
  kind: 'exec' | 'attach';
  pod: PodRef;
  container: string;
  request: ExecRequest;
  protocol: string;
}

/** How long output may keep flowing after the process exited (a background child holding stdout open). */
const OUTPUT_GRACE_MS = 1000;

function pump(from: Readable | null, to: Writable | null): Promise<void> {
  if (!from) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => resolve();
    from.once('end', done);
    from.once('close', done);
    from.once('error', done);
    if (to) from.pipe(to, { end: false });
    else from.resume();
  });
}

export async function runExec(runtime: StreamingRuntime, call: ExecCall, ch: ExecChannels): Promise<void> {
  const { request, protocol } = call;
  const options = { tty: request.tty, stdin: request.stdin, stdout: request.stdout, stderr: request.stderr };
  let proc: ExecProcess;
  try {
    proc =
      call.kind === 'attach'
        ? await runtime.attach(call.pod, call.container, options)
        : await runtime.exec(call.pod, call.container, request.command, options);
  } catch (err) {
    const status =
      err instanceof StreamingError ? errorStatus(err.message, err.code) : errorStatus(err instanceof Error ? err.message : String(err));
    ch.finish(encodeStatus(status, protocol));
    return;
  }
  let gone = false;
  ch.onClientGone(() => {
    gone = true;
    proc.kill();
  });
  if (proc.stdin) {
    proc.stdin.on('error', () => {
      // The process exited before reading all of stdin (EPIPE): not an exec failure.
    });
    if (ch.stdin) ch.stdin.pipe(proc.stdin);
    else proc.stdin.end();
  }
  ch.onResize((w, h) => proc.resize(w, h));
  const output = Promise.all([pump(proc.stdout, ch.stdout), pump(proc.stderr, ch.stderr)]);
  const code = await proc.exit;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([output, new Promise((r) => (timer = setTimeout(r, OUTPUT_GRACE_MS)))]);
  clearTimeout(timer);
  // A background child may still hold the pipes open: stop forwarding before the channels close.
  proc.stdout?.unpipe();
  proc.stderr?.unpipe();
  if (gone) return;
  ch.finish(encodeStatus(exitStatus(request.command, code), protocol));
}
