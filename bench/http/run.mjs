/**
 * The HTTP benchmark, one run, every contender side by side:
 *  1. hit path: wrk against each contender's cached slow route, rounds interleaved round-robin,
 *     server pinned to one core and wrk to the other; medians and ratios;
 *  2. coalescing: 200 concurrent requests for one cold key, handler calls counted;
 *  3. memory: 100,000 distinct 2 KiB responses cached, heap + Buffer growth per body byte.
 * Prints one Markdown report and saves it to results/<date>.md (raw wrk output to results/<date>.raw).
 * Settings (environment): BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_WARMUP=3 BENCH_CONNECTIONS=50
 * BENCH_ENTRIES=100000 BENCH_ONLY=name,name BENCH_LARDER=dist|source. Flag --readme also writes the
 * report into README.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './apps.mjs';
import { burst, get } from './client.mjs';
import { commandExists, coreTime, median, waitForQuiet } from './machine.mjs';
import { BODY, measureWork } from './payload.mjs';
import { report } from './report.mjs';
import { wrk } from './wrk.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const settings = {
  rounds: env('BENCH_ROUNDS', 5),
  seconds: env('BENCH_SECONDS', 5),
  warmup: env('BENCH_WARMUP', 3),
  connections: env('BENCH_CONNECTIONS', 50),
  entries: env('BENCH_ENTRIES', 100_000),
  burst: 200,
  // dist: the compiled packages users run (`npm run build` at the root; `npm run bench` does it).
  // source: the TypeScript through tsx, no build needed (esbuild's keepNames adds a little work).
  larder: process.env.BENCH_LARDER === 'source' ? 'source' : 'dist',
};
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const names = Object.keys(CONTENDERS).filter((name) => !only || only.includes(name));
const nodeFlags =
  settings.larder === 'source' ? ['--conditions=@larder/source', '--import', 'tsx'] : [];
const hasTaskset = commandExists('taskset') && availableParallelism() >= 2;
const [serverCpu, clientCpu] = hasTaskset ? ['1', '0'] : [undefined, undefined];
if (!commandExists('wrk')) {
  console.error('wrk is not installed (Debian: apt-get install wrk); see bench/README.md');
  process.exit(1);
}

function log(message) {
  process.stderr.write(`${message}\n`);
}

/** Starts `node <flags> <script> ...args` pinned to the server core, with an IPC channel. */
function spawnNode(script, args, extraFlags = []) {
  const argv = [...extraFlags, ...nodeFlags, join(benchDir, 'http', script), ...args];
  const [command, commandArgs] = serverCpu
    ? ['taskset', ['-c', serverCpu, process.execPath, ...argv]]
    : [process.execPath, argv];
  return spawn(command, commandArgs, {
    cwd: benchDir,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** Starts a contender's server; resolves `{ child, url }` or `{ skip }`. */
function startServer(name) {
  const child = spawnNode('server.mjs', [name, '0']);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: server did not start`)), 60_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message.skip) resolve({ skip: message.skip });
      else resolve({ child, url: `http://127.0.0.1:${message.port}` });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ skip: `server exited with code ${code} before listening` });
    });
  });
}

/** Asks a server for its handler-call counts per path and its CPU time (microseconds). */
function serverStats(child) {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message));
    child.send('stats');
  });
}

/** One wrk run, with the server's own CPU time per request (steady when other work steals the core). */
async function measure(name, options) {
  const { child, url } = servers.get(name);
  const quiet = await waitForQuiet();
  const before = await serverStats(child);
  const coreBefore = coreTime(serverCpu);
  const run = await wrk(`${url}/slow`, options);
  const coreAfter = coreTime(serverCpu);
  const after = await serverStats(child);
  const serverTime = after.cpu - before.cpu;
  run.cpuPerRequest = run.requests ? serverTime / run.requests : 0;
  run.quiet = quiet;
  // Share of the server's core that went to other processes (or the hypervisor) during the run.
  if (coreBefore && coreAfter) {
    const elapsed = coreAfter.total - coreBefore.total;
    const others = coreAfter.busy - coreBefore.busy - serverTime / 1e6;
    run.otherLoad = elapsed > 0 ? Math.max(0, others / elapsed) : 0;
  }
  return run;
}

/** Two GETs in a row: both must be 200 with the exact body; returns what was seen. */
async function verify(url) {
  const first = await get(`${url}/slow`);
  const second = await get(`${url}/slow`);
  const problems = [];
  for (const [label, res] of [
    ['first', first],
    ['second', second],
  ]) {
    if (res.status !== 200) problems.push(`${label} answered ${res.status}`);
    if (!res.body.equals(BODY)) problems.push(`${label} body differs (${res.body.length} bytes)`);
    if (!String(res.headers['content-type']).includes('json')) {
      problems.push(`${label} content-type ${res.headers['content-type']}`);
    }
  }
  return { problems, cacheHeader: second.headers['x-cache'] };
}

const results = new Map(names.map((name) => [name, { name, ...CONTENDERS[name], runs: [] }]));
const raw = [];
const started = new Date();
log(
  `bench: ${names.length} contenders, ${settings.rounds} rounds x ${settings.seconds}s, Larder from ${settings.larder}`,
);

// Start every server up front: idle servers cost nothing, and each round visits them in turn.
const servers = new Map();
for (const name of names) {
  const server = await startServer(name);
  const result = results.get(name);
  if (server.skip) {
    result.skip = server.skip;
    log(`  ${name}: SKIPPED (${server.skip})`);
    continue;
  }
  servers.set(name, server);
  Object.assign(result, await verify(server.url));
  log(
    `  ${name}: ready at ${server.url}${result.problems.length ? ` PROBLEMS: ${result.problems.join('; ')}` : ''}`,
  );
}
const live = [...servers.keys()];
const load = { seconds: settings.seconds, connections: settings.connections, cpu: clientCpu };

log('warm-up');
for (const name of live) {
  const run = await measure(name, { ...load, seconds: settings.warmup });
  results.get(name).sent = run.requests + 2;
}
for (let round = 0; round < settings.rounds; round++) {
  // Rotate the starting contender each round so slow drift (thermal, GC) is spread evenly.
  const order = live.map((_, i) => live[(i + round) % live.length]);
  for (const name of order) {
    const run = await measure(name, load);
    const result = results.get(name);
    result.runs.push(run);
    result.sent += run.requests;
    raw.push(`### ${name} round ${round + 1}\n${run.raw}`);
    log(
      `  round ${round + 1} ${name}: ${run.rps.toFixed(0)} req/s, ${run.cpuPerRequest.toFixed(1)} µs CPU/req, others ${((run.otherLoad ?? 0) * 100).toFixed(0)}% of the core${run.errors || run.non2xx ? ` (errors ${run.errors}, non-2xx ${run.non2xx})` : ''}`,
    );
  }
}
for (const name of live) {
  const result = results.get(name);
  result.rps = median(result.runs.map((run) => run.rps));
  result.cpuPerRequest = median(result.runs.map((run) => run.cpuPerRequest));
  result.otherLoad = median(result.runs.map((run) => run.otherLoad ?? 0));
  result.p99 = result.runs.map((run) => run.p99);
  result.errors = result.runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0);
  result.calls = (await serverStats(servers.get(name).child)).calls['/slow'] ?? 0;
}

log('coalescing');
for (const name of live) {
  const result = results.get(name);
  if (result.kind !== 'larder' && result.kind !== 'peer') continue;
  const { child, url } = servers.get(name);
  result.burst = await burst(`${url}/cold/1`, settings.burst, BODY);
  result.burst.calls = (await serverStats(child)).calls['/cold/1'] ?? 0;
  log(
    `  ${name}: handler ran ${result.burst.calls}x, ${result.burst.ok}/${settings.burst} correct`,
  );
}
for (const { child } of servers.values()) {
  child.disconnect();
  child.kill();
}

log('memory');
const memory = [];
// apicache's memory store runs Object.keys() over every entry on each insert (quadratic): 100,000
// entries take many minutes, so it is filled with at most 20,000; the ratio is per byte anyway.
const memoryRuns = [
  ['larder-express', settings.entries],
  ['larder-koa', settings.entries],
  ['apicache', Math.min(settings.entries, 20_000)],
  ['koa-cash', settings.entries],
].filter(([name]) => names.includes(name));
for (const [name, entries] of memoryRuns) {
  const child = spawnNode('memory.mjs', [name, String(entries)], ['--expose-gc']);
  const timer = setTimeout(() => child.kill(), 600_000);
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const line = out.trim().split('\n').pop() ?? '';
  try {
    memory.push(JSON.parse(line));
  } catch {
    memory.push({ name, skip: `memory run printed no result (${line.slice(0, 80)})` });
  }
  log(`  ${name}: ${line}`);
}

const markdown = report({
  started,
  settings,
  results: [...results.values()],
  memory,
  machine: {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    pinned: hasTaskset
      ? `server on CPU ${serverCpu}, wrk on CPU ${clientCpu}`
      : 'not pinned (no taskset)',
    workMs: measureWork(),
    quietStarts: (() => {
      const runs = [...results.values()].flatMap((result) => result.runs);
      return `${runs.filter((run) => run.quiet).length} of ${runs.length}`;
    })(),
  },
});
console.log(markdown);
const resultsDir = join(benchDir, 'results');
if (!existsSync(resultsDir)) mkdirSync(resultsDir);
const day = started.toISOString().slice(0, 10);
writeFileSync(join(resultsDir, `${day}.md`), markdown);
writeFileSync(join(resultsDir, `${day}.raw`), raw.join('\n'));
log(`saved results/${day}.md`);
if (process.argv.includes('--readme')) {
  const readme = join(benchDir, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const updated = text.replace(
    /(<!-- results:start -->\n)[\s\S]*(<!-- results:end -->)/,
    // Demoted one level: the report sits under the README's own section heading.
    (_, start, end) => `${start}${markdown.replace(/^(#+) /gm, '#$1 ')}\n${end}`,
  );
  writeFileSync(readme, updated);
  log('updated README.md');
}
