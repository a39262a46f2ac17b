import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteBackend, type TxnOp } from '../src/storage/index.ts';
const dir = mkdtempSync('/tmp/clusterip-ctest-');
const b = await openSqliteBackend(dir + '/s.db');
const v = 'x'.repeat(300);
for (let i = 0; i < 10000; i += 100) { const ops: TxnOp[] = []; for (let j = i; j < i + 100; j++) ops.push({ op: 'create', key: `/k/${j}`, value: v }); await b.txn(ops); }
for (let r = 0; r < 9; r++) for (let i = 0; i < 10000; i += 100) { const ops: TxnOp[] = []; for (let j = i; j < i + 100; j++) ops.push({ op: 'update', key: `/k/${j}`, value: v + r }); await b.txn(ops); }
await b.close();
const db = new DatabaseSync(dir + '/s.db');
const q = 'SELECT l.revision AS revision, l.key AS key, l.create_revision AS create_revision, l.deleted AS deleted, l.value AS value, p.value AS prev_value FROM log l LEFT JOIN log p ON p.key = l.key AND p.revision = l.prev_revision WHERE l.revision > ? AND l.key >= ? AND l.key < ? ORDER BY l.revision, l.sub';
console.log(db.prepare('EXPLAIN QUERY PLAN ' + q).all(0, '/k/', '/k0'));
let t0 = performance.now(); const rows = db.prepare(q).all(0, '/k/', '/k0'); console.log(rows.length, (performance.now() - t0).toFixed(0));
const q2 = 'SELECT l.revision, l.key, l.value FROM log l WHERE l.revision > ? AND l.key >= ? AND l.key < ? ORDER BY l.revision, l.sub';
t0 = performance.now(); db.prepare(q2).all(0, '/k/', '/k0'); console.log('nojoin', (performance.now() - t0).toFixed(0));
db.close(); rmSync(dir, { recursive: true });
