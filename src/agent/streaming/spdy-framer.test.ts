import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';
import { StoredHeaderCompressor } from './spdy-compress.ts';
import { decodeNameValues, encodeFrame, encodeNameValues, FrameReader, SpdyProtocolError, type SpdyFrame } from './spdy-framer.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Wire bytes written out by hand from the SPDY/3 draft's frame layouts.
const cases: { name: string; frame: SpdyFrame; wire: string }[] = [
  {
    name: 'data with FIN',
    frame: { type: 'data', streamId: 5, fin: true, data: Buffer.from('hi') },
    wire: '00000005 01000002 6869',
  },
  {
    name: 'empty data, no flags',
    frame: { type: 'data', streamId: 0x7fffffff, fin: false, data: Buffer.alloc(0) },
    wire: '7fffffff 00000000',
  },
  {
    name: 'SYN_STREAM',
    frame: { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 0, fin: false, unidirectional: false, headerBlock: hex('aabb') },
    wire: '80030001 0000000c 00000001 00000000 0000 aabb',
  },
  {
    name: 'SYN_STREAM with FIN, unidirectional, priority 7',
    frame: { type: 'syn_stream', streamId: 3, associatedId: 1, priority: 7, fin: true, unidirectional: true, headerBlock: Buffer.alloc(0) },
    wire: '80030001 0300000a 00000003 00000001 e000',
  },
  {
    name: 'SYN_REPLY',
    frame: { type: 'syn_reply', streamId: 1, fin: false, headerBlock: hex('01') },
    wire: '80030002 00000005 00000001 01',
  },
  { name: 'RST_STREAM cancel', frame: { type: 'rst_stream', streamId: 7, status: 5 }, wire: '80030003 00000008 00000007 00000005' },
  {
    name: 'SETTINGS one entry',
    frame: { type: 'settings', flags: 0, entries: [{ flags: 1, id: 7, value: 65536 }] },
    wire: '80030004 0000000c 00000001 01000007 00010000',
  },
  { name: 'PING', frame: { type: 'ping', id: 1 }, wire: '80030006 00000004 00000001' },
  { name: 'GOAWAY', frame: { type: 'goaway', lastGoodStreamId: 9, status: 0 }, wire: '80030007 00000008 00000009 00000000' },
  {
    name: 'HEADERS with FIN',
    frame: { type: 'headers', streamId: 1, fin: true, headerBlock: hex('ff') },
    wire: '80030008 01000005 00000001 ff',
  },
  {
    name: 'WINDOW_UPDATE',
    frame: { type: 'window_update', streamId: 1, delta: 65536 },
    wire: '80030009 00000008 00000001 00010000',
  },
  {
    name: 'unknown control type (NOOP) is carried through',
    frame: { type: 'unknown', controlType: 5, flags: 0, payload: Buffer.alloc(0) },
    wire: '80030005 00000000',
  },
];

for (const c of cases) {
  test(`frame ${c.name}: encode`, () => {
    assert.equal(encodeFrame(c.frame).toString('hex'), hex(c.wire).toString('hex'));
  });
  test(`frame ${c.name}: decode`, () => {
    assert.deepEqual(new FrameReader().push(hex(c.wire)), [c.frame]);
  });
}

test('FrameReader reassembles frames split at every byte and several frames per chunk', () => {
  const wire = Buffer.concat(cases.map((c) => hex(c.wire)));
  const reader = new FrameReader();
  const got: SpdyFrame[] = [];
  for (let i = 0; i < wire.length; i++) got.push(...reader.push(wire.subarray(i, i + 1)));
  assert.deepEqual(got, cases.map((c) => c.frame));
  assert.equal(reader.pending, 0);
  assert.deepEqual(new FrameReader().push(wire), cases.map((c) => c.frame));
});

test('FrameReader rejects another SPDY version', () => {
  assert.throws(() => new FrameReader().push(hex('80020001 00000000')), SpdyProtocolError);
});

test('name/value blocks round trip, names lower-cased', () => {
  const block = encodeNameValues({ streamType: 'data', port: '80', requestID: '0' });
  assert.equal(
    block.toString('hex'),
    hex(
      '00000003' +
        '0000000a' + Buffer.from('streamtype').toString('hex') + '00000004' + Buffer.from('data').toString('hex') +
        '00000004' + Buffer.from('port').toString('hex') + '00000002' + Buffer.from('80').toString('hex') +
        '00000009' + Buffer.from('requestid').toString('hex') + '00000001' + Buffer.from('0').toString('hex'),
    ).toString('hex'),
  );
  assert.deepEqual(decodeNameValues(block), { streamtype: 'data', port: '80', requestid: '0' });
  assert.throws(() => decodeNameValues(block.subarray(0, block.length - 1)), SpdyProtocolError);
});

test('the SPDY/3 dictionary has the draft length', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.equal(SPDY3_DICTIONARY.subarray(-6).toString('latin1'), 'enq=0.');
});

test('stored-block header compression is one zlib stream that any inflater reads block by block', () => {
  const compressor = new StoredHeaderCompressor();
  const blocks = [encodeNameValues({}), encodeNameValues({ a: 'b' }), encodeNameValues({ big: 'x'.repeat(70_000) })];
  const wire = blocks.map((b) => compressor.compress(b));
  // Each block ends with the sync-flush marker (an empty stored block): Go's flate only hands data out there.
  for (const w of wire) assert.equal(w.subarray(-5).toString('hex'), '000000ffff');
  let sofar = Buffer.alloc(0);
  let produced = 0;
  for (let i = 0; i < wire.length; i++) {
    sofar = Buffer.concat([sofar, wire[i]]);
    const out = zlib.inflateSync(sofar, { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual(out.subarray(produced), blocks[i], `block ${i}`);
    produced = out.length;
  }
});
