// `npm run bench -- <name> [args…]` runs bench/<name>.ts on the project's Node 24; with no name it lists them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', 'bench');
const names = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  process.stdout.write(`usage: npm run bench -- <name> [args…]\nbenchmarks: ${names.join(', ')}\n`);
  process.exit(name ? 1 : 0);
}
const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(dir, `${name}.ts`), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
