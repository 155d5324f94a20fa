// PostgreSQL benchmark, in one run: the Express hit path with responseCache on Larder's memory
// store, on Larder's PostgreSQL store (with and without its near cache) and on @keyv/postgres
// behind the same Store call; then store operations per second. Medians, ratios and p99.
// Not a test: nothing here asserts a duration.
//
// Run (wrk and PostgreSQL 15 installed): node --conditions=@larder/source --import tsx bench/postgres.ts
// Settings: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_OPS_SECONDS (3).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startPostgres } from '../test/helpers/servers/postgres.ts';
import { get } from './http/client.mjs';
import { median } from './http/machine.mjs';
import { BODY } from './http/payload.mjs';
import {
  type AppServer,
  CONNECTIONS,
  cpuOf as cpuOfRuns,
  fmt,
  here,
  measureHitPath,
  NODE,
  pinToCpu0,
  rpsOf as rpsOfRuns,
  startApp,
} from './store-runs.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const OPS_SECONDS = Number(process.env.BENCH_OPS_SECONDS ?? 3);
const CONTENDERS = ['memory', 'postgres', 'postgres-near', 'keyv-postgres'] as const;
const LABELS: Record<string, string> = {
  memory: 'Larder, memory store',
  postgres: 'Larder, PostgreSQL store',
  'postgres-near': 'Larder, PostgreSQL store + near cache',
  'keyv-postgres': '@keyv/postgres through Keyv',
};

// This process, PostgreSQL (started from it) and wrk share CPU 0; each app server gets CPU 1.
pinToCpu0();
const pg = await startPostgres();

async function verify(server: AppServer, contender: string): Promise<string> {
  let cache = '';
  for (let i = 0; i < 20 && cache !== 'HIT'; i++) {
    const res = await get(`${server.url}/item`);
    if (res.status !== 200 || !Buffer.from(res.body).equals(BODY)) {
      throw new Error(`${contender}: wrong answer (${res.status}, ${res.body.length} bytes)`);
    }
    cache = String(res.headers['x-cache']);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return cache;
}

const servers = new Map<string, AppServer>();
const notes: string[] = [];
for (const contender of CONTENDERS) {
  const server = await startApp('./postgres-server.ts', [contender, pg.connectionString]);
  servers.set(contender, server);
  const state = await verify(server, contender);
  if (state !== 'HIT')
    notes.push(`${contender}: never answered a HIT before the load (last X-Cache: ${state})`);
}

const { runs, calls, quiet } = await measureHitPath(servers, {
  rounds: ROUNDS,
  seconds: SECONDS,
  waitQuiet: true,
});

const ops = spawn(
  'taskset',
  [
    '-c',
    '1',
    ...NODE,
    here('./postgres-ops.ts'),
    pg.connectionString,
    String(OPS_SECONDS),
    String(ROUNDS),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: here('.'),
  },
);
let opsText = '';
ops.stdout!.on('data', (chunk: Buffer) => {
  opsText += chunk.toString();
});
await once(ops, 'exit');
await pg.destroy();

const opRuns = new Map<string, Array<{ ops: number; p99: number; errors: number }>>();
for (const line of opsText.trim().split('\n')) {
  if (!line.startsWith('{')) continue;
  const run = JSON.parse(line) as { name: string; ops: number; p99: number; errors: number };
  opRuns.set(run.name, [...(opRuns.get(run.name) ?? []), run]);
}
const opErrors = [...opRuns.values()].flat().reduce((sum, run) => sum + run.errors, 0);

const rpsOf = (c: string) => rpsOfRuns(runs, c);
const cpuOf = (c: string) => cpuOfRuns(runs, c);
const lines: string[] = [];
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
lines.push(`### PostgreSQL benchmark, ${date} UTC`, '');
lines.push(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; app server on CPU 1, wrk (-t1 -c${CONNECTIONS}) and PostgreSQL 15 (fsync off, UNLOGGED tables) on CPU 0. ${ROUNDS} rounds × ${SECONDS} s per contender after a 2 s warm-up, interleaved. Larder from source (tsx). Route: about 2 ms of CPU and a 2048-byte JSON body. ${quiet} of ${ROUNDS * CONTENDERS.length} measured runs started while other work used under 15% of the machine (each waits up to 10 s for such a moment).`,
  '',
  '#### Express hit path (`responseCache({ store })`)',
  '',
  '| store | req/s (median) | min–max | × memory | PostgreSQL store ÷ this | app CPU µs/req | × memory (CPU) | p99 (median) | errors | handler calls / requests |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
);
for (const contender of CONTENDERS) {
  const list = runs.get(contender) ?? [];
  const rps = rpsOf(contender);
  const requests = list.reduce((sum, r) => sum + r.requests, 0);
  lines.push(
    `| ${LABELS[contender]} | ${fmt(rps)} | ${fmt(Math.min(...list.map((r) => r.rps)))}–${fmt(Math.max(...list.map((r) => r.rps)))} | ${fmt(rps / rpsOf('memory'), 2)} | ${fmt(rpsOf('postgres') / rps, 2)} | ${fmt(cpuOf(contender), 1)} | ${fmt(cpuOf('memory') / cpuOf(contender), 2)} | ${fmt(median(list.map((r) => r.p99)), 2)} ms | ${list.reduce((s, r) => s + r.errors, 0)} | ${calls.get(contender)} / ${requests} |`,
  );
}
lines.push(
  '',
  `#### Store operations (16 in flight, 10-connection pool, 1 KiB values, ${OPS_SECONDS} s × ${ROUNDS} rounds)`,
  '',
  '| operation | Larder ops/s | Larder p99 | @keyv/postgres ops/s | @keyv/postgres p99 | Larder ÷ keyv |',
  '|---|---:|---:|---:|---:|---:|',
);
for (const op of ['get', 'set', 'add', 'increment']) {
  const ours = opRuns.get(`larder ${op}`) ?? [];
  const theirs = opRuns.get(`keyv ${op}`) ?? [];
  const a = median(ours.map((r) => r.ops));
  const b = theirs.length > 0 ? median(theirs.map((r) => r.ops)) : Number.NaN;
  lines.push(
    `| ${op} | ${fmt(a)} | ${fmt(median(ours.map((r) => r.p99)), 2)} ms | ${theirs.length > 0 ? fmt(b) : 'no such operation'} | ${theirs.length > 0 ? `${fmt(median(theirs.map((r) => r.p99)), 2)} ms` : ''} | ${theirs.length > 0 ? fmt(a / b, 2) : ''} |`,
  );
}
lines.push('', `Operations that failed (timeout 1 s, counted, not measured): ${opErrors}.`);
if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
mkdirSync(here('./results'), { recursive: true });
writeFileSync(here(`./results/postgres-${new Date().toISOString().slice(0, 10)}.md`), text);
