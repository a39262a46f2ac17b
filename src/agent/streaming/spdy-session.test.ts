// The session against a client that compresses headers the way Go's framer does (one real zlib stream with the
// SPDY/3 dictionary, sync-flushed per block), through an in-memory transport.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';
import { decodeNameValues, encodeFrame, encodeNameValues, FrameReader, type SpdyFrame } from './spdy-framer.ts';
import { SpdySession, type SpdyStream } from './spdy-session.ts';

class FakeClient {
  readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  readonly frames: SpdyFrame[] = [];
  readonly reader = new FrameReader();
  ended = false;

  compress(headers: Record<string, string>): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer): number => chunks.push(c);
      this.deflate.on('data', onData);
      this.deflate.write(encodeNameValues(headers));
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        setImmediate(() => {
          this.deflate.off('data', onData);
          resolve(Buffer.concat(chunks));
        });
      });
    });
  }
}

function setup(onStream: (s: SpdyStream) => void): { session: SpdySession; client: FakeClient } {
  const client = new FakeClient();
  const session = new SpdySession(
    {
      write: (bytes) => {
        client.frames.push(...client.reader.push(bytes));
        return true;
      },
      onDrain: (cb) => setImmediate(cb),
      end: () => (client.ended = true),
    },
    { onStream },
  );
  return { session, client };
}

// Header blocks inflate asynchronously (node:zlib): let the session's queue run.
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('streams are replied, data flows both ways, FIN half-closes, pings are echoed', async () => {
  const streams: SpdyStream[] = [];
  const { session, client } = setup((s) => {
    streams.push(s);
    s.reply();
  });
  const open = async (id: number, headers: Record<string, string>): Promise<void> => {
    const headerBlock = await client.compress(headers);
    session.receive(encodeFrame({ type: 'syn_stream', streamId: id, associatedId: 0, priority: 0, fin: false, unidirectional: false, headerBlock }));
  };
  await open(1, { streamType: 'error', port: '80', requestID: '0' });
  await open(3, { streamType: 'data', port: '80', requestID: '0' });
  await tick();
  assert.deepEqual(streams.map((s) => [s.id, s.streamType, s.headers.port]), [[1, 'error', '80'], [3, 'data', '80']]);
  const replies = client.frames.filter((f) => f.type === 'syn_reply');
  assert.deepEqual(replies.map((f) => f.type === 'syn_reply' && f.streamId), [1, 3]);
  // Our replies inflate as one stream with the dictionary (what the Go client does).
  const inflated = zlib.inflateSync(
    Buffer.concat(replies.map((f) => (f.type === 'syn_reply' ? f.headerBlock : Buffer.alloc(0)))),
    { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH },
  );
  assert.deepEqual(decodeNameValues(inflated.subarray(0, 4)), {});

  const received: Buffer[] = [];
  streams[1].on('data', (c: Buffer) => received.push(c));
  let ended = false;
  streams[1].on('end', () => (ended = true));
  session.receive(Buffer.concat([
    encodeFrame({ type: 'data', streamId: 3, fin: false, data: Buffer.from('GET / ') }),
    encodeFrame({ type: 'data', streamId: 3, fin: true, data: Buffer.from('HTTP/1.1') }),
    encodeFrame({ type: 'ping', id: 1 }),
  ]));
  await tick();
  await tick();
  assert.equal(Buffer.concat(received).toString(), 'GET / HTTP/1.1');
  assert.ok(ended);
  assert.ok(client.frames.some((f) => f.type === 'ping' && f.id === 1), 'ping echoed');

  streams[1].end('pong');
  await tick();
  const data = client.frames.filter((f) => f.type === 'data' && f.streamId === 3);
  assert.deepEqual(data.map((f) => f.type === 'data' && [f.data.toString(), f.fin]), [['pong', false], ['', true]]);
  assert.equal(session.openStreams, 1, 'stream 3 closed both ways is forgotten; stream 1 stays');

  session.receive(encodeFrame({ type: 'rst_stream', streamId: 1, status: 5 }));
  await tick();
  assert.ok(streams[0].destroyed);
  assert.equal(session.openStreams, 0);

  session.goAway();
  assert.ok(client.frames.some((f) => f.type === 'goaway' && f.lastGoodStreamId === 3));
  assert.ok(client.ended);
});

test('a server-numbered (even) stream id is refused', async () => {
  const { session, client } = setup(() => assert.fail('no stream expected'));
  const headerBlock = await client.compress({ streamType: 'data' });
  session.receive(encodeFrame({ type: 'syn_stream', streamId: 2, associatedId: 0, priority: 0, fin: false, unidirectional: false, headerBlock }));
  await tick();
  assert.deepEqual(client.frames, [{ type: 'rst_stream', streamId: 2, status: 1 }]);
});
