/**
 * Where a contender's hit path spends its time: runs its server under `node --cpu-prof` while wrk
 * drives it, then prints the top self-time functions and the self time per package.
 * Usage: node http/profile.mjs <contender> [seconds=10] [top=30]
 * Larder is loaded as in run.mjs (built dist; BENCH_LARDER=source for the TypeScript through tsx).
 * The .cpuprofile is kept in results/profiles/ (open it in Chrome DevTools for the call tree).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wrk } from './wrk.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, secondsArg = '10', topArg = '30'] = process.argv.slice(2);
if (!name) {
  console.error('usage: node http/profile.mjs <contender> [seconds] [top]');
  process.exit(1);
}
const dir = join(benchDir, 'results', 'profiles');
mkdirSync(dir, { recursive: true });
const source = process.env.BENCH_LARDER === 'source';
const flags = [
  ...(source ? ['--conditions=@larder/source', '--import', 'tsx'] : []),
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
];
const child = spawn(
  'taskset',
  ['-c', '1', process.execPath, ...flags, join(benchDir, 'http', 'server.mjs'), name, '0'],
  { cwd: benchDir, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
const ready = await new Promise((resolve) => child.once('message', resolve));
if (ready.skip) {
  console.error(`${name}: ${ready.skip}`);
  process.exit(1);
}
const started = Date.now();
const url = `http://127.0.0.1:${ready.port}/slow`;
const warm = await wrk(url, { seconds: 2, connections: 50, cpu: '0' });
const run = await wrk(url, { seconds: Number(secondsArg), connections: 50, cpu: '0' });
child.disconnect();
await new Promise((resolve) => child.once('exit', resolve));

const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => join(dir, f))
  .filter((f) => statSync(f).mtimeMs >= started)
  // With tsx, its loader thread writes a profile too; the main thread's is the largest.
  .sort((a, b) => statSync(b).size - statSync(a).size)[0];
const profile = JSON.parse(readFileSync(file, 'utf8'));

// Self time per node = its sample count × the mean sampling interval.
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const interval = (profile.endTime - profile.startTime) / profile.samples.length;
const byFunction = new Map();
const byPackage = new Map();
let total = 0;
for (const node of profile.nodes) {
  const self = (counts.get(node.id) ?? 0) * interval;
  if (!self) continue;
  const { functionName, url: source, lineNumber } = node.callFrame;
  const where = source.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages)\//, '$1/');
  const key = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + self);
  const pkg = packageOf(source, functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self);
  total += self;
}
// The profile spans the warm-up too.
const requests = warm.requests + run.requests;
const line = ([key, us]) =>
  `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / requests).toFixed(2).padStart(7)} µs/req  ${key}`;
console.log(`${name}: ${run.rps.toFixed(0)} req/s over ${secondsArg}s; profile ${file}`);
console.log('\nself time by package (µs per request):');
for (const entry of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(line(entry));
console.log(`\ntop ${topArg} functions by self time:`);
for (const entry of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
  console.log(line(entry));
}

function packageOf(source, functionName) {
  if (!source) return functionName.startsWith('(') ? functionName : '(native)';
  if (source.startsWith('node:')) return 'node internals';
  const larder = /\/packages\/([^/]+)\/(?:src|dist)\//.exec(source);
  if (larder) return `@larder/${larder[1]}`;
  const dep = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (dep) return dep[1];
  return source.includes('/bench/') ? 'bench' : source;
}
