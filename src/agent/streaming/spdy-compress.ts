// SPDY/3 header block compression (§2.6.10.1): every header block on a connection continues one zlib stream
// per direction, primed with SPDY3_DICTIONARY and sync-flushed after each block.
//  - Outgoing: we emit the zlib stream as *stored* deflate blocks. That is a valid continuation for any
//    inflater (a sync flush ends in a stored block too), keeps encoding pure and synchronous, and costs a few
//    bytes on header blocks that are tiny anyway (a SYN_REPLY with no headers). No FDICT flag: the dictionary
//    is not needed to read stored blocks, and Go's zlib reader accepts a header without it.
//  - Incoming: kubectl's Go framer compresses for real, so one node:zlib Inflate with the dictionary reads
//    the blocks in order (async, serialised by the session).
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';

/** zlib header: deflate, 32 KiB window, no preset dictionary (0x7801 % 31 === 0). */
const ZLIB_HEADER = Buffer.from([0x78, 0x01]);
const MAX_STORED = 0xffff;
const SYNC_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

export class StoredHeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      parts.push(ZLIB_HEADER);
      this.started = true;
    }
    let at = 0;
    while (at < block.length) {
      const len = Math.min(MAX_STORED, block.length - at);
      const head = Buffer.alloc(5);
      head.writeUInt8(0x00, 0); // BFINAL=0, BTYPE=00 (stored), padded to the byte
      head.writeUInt16LE(len, 1);
      head.writeUInt16LE(~len & 0xffff, 3);
      parts.push(head, block.subarray(at, at + len));
      at += len;
    }
    // The empty stored block is the sync-flush marker: Go's inflater hands out what it holds only there.
    parts.push(SYNC_MARKER);
    return Buffer.concat(parts);
  }
}

export class HeaderInflater {
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });

  /** Decompresses the next header block of the stream; calls must not overlap (the session serialises). */
  decompress(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.inflate.once('error', onError);
      this.inflate.write(block);
      this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.inflate.off('error', onError);
        const chunks: Buffer[] = [];
        for (let c: unknown = this.inflate.read(); c !== null; c = this.inflate.read()) chunks.push(c as Buffer);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  close(): void {
    this.inflate.close();
  }
}
