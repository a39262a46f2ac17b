// Child process of crash.test.ts: creates keys as fast as it can (`concurrency` in flight) and prints
// `ack <key>` for each create the store acknowledged, until it is killed.
//   node crash-writer.ts sqlite <path> <concurrency>
//   node crash-writer.ts etcd <endpoints,comma-separated> <prefix> <concurrency>
import type { Backend } from '../../src/storage/index.ts';
import { openEtcdBackend, openSqliteBackend } from '../../src/storage/index.ts';

const [kind, target, ...rest] = process.argv.slice(2);
let backend: Backend;
let concurrency: number;
if (kind === 'sqlite' && target) {
  backend = await openSqliteBackend(target);
  concurrency = Number(rest[0] ?? 1);
} else if (kind === 'etcd' && target) {
  backend = await openEtcdBackend({ endpoints: target.split(','), prefix: rest[0] ?? '' });
  concurrency = Number(rest[1] ?? 1);
} else {
  throw new Error('usage: crash-writer.ts sqlite PATH N | etcd ENDPOINTS PREFIX N');
}
process.stdout.write('ready\n');
let next = 0;
const MAX_KEYS = 200_000; // bounded even if nobody kills us
async function writer(): Promise<void> {
  while (next < MAX_KEYS) {
    const key = `/crash/k${String(next++).padStart(6, '0')}`;
    try {
      await backend.create(key, JSON.stringify({ key, at: Date.now() }));
      process.stdout.write(`ack ${key}\n`);
    } catch (err) {
      process.stdout.write(`err ${key} ${String(err).split('\n')[0]}\n`);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, writer));
