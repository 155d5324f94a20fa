// Redis benchmark, in one run: the hit path of responseCache on Express and on Koa with Larder's
// memory store, with its Redis store, and with the Redis store plus its near cache, beside
// apicache over the same Redis (Express). Medians, ratios to the memory-backed hit, and p99.
// Not a test: nothing here asserts a duration.
//
// Run (wrk and redis-server installed): node --conditions=@larder/source --import tsx bench/redis.ts
// Settings: BENCH_ROUNDS (3), BENCH_SECONDS (5).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../test/helpers/servers/redis.ts';
import { get } from './http/client.mjs';
import { median } from './http/machine.mjs';
import { BODY } from './http/payload.mjs';
import { wrk } from './http/wrk.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const NODE = [process.execPath, '--conditions=@larder/source', '--import', 'tsx'];
const CONTENDERS = [
  'express-memory',
  'express-redis',
  'express-redis-near',
  'express-apicache-redis',
  'koa-memory',
  'koa-redis',
  'koa-redis-near',
] as const;
const LABELS: Record<string, string> = {
  'express-memory': 'Larder on Express, memory store',
  'express-redis': 'Larder on Express, Redis store',
  'express-redis-near': 'Larder on Express, Redis store + near cache',
  'express-apicache-redis': 'apicache 1.6 on Express, same Redis (ioredis)',
  'koa-memory': 'Larder on Koa, memory store',
  'koa-redis': 'Larder on Koa, Redis store',
  'koa-redis-near': 'Larder on Koa, Redis store + near cache',
};
const memoryOf = (contender: string) => `${contender.split('-')[0]}-memory`;

// This process, Redis (started from it) and wrk share CPU 0; each app server gets CPU 1.
execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
const redis = await startRedis();

interface Server {
  child: ChildProcess;
  url: string;
}

async function startApp(contender: string): Promise<Server> {
  const child = spawn(
    'taskset',
    ['-c', '1', ...NODE, here('./redis-server.ts'), contender, redis.url],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: here('.'),
    },
  );
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = /ready (\d+)/.exec(chunk.toString())?.[1];
  return { child, url: `http://127.0.0.1:${port}` };
}

async function verify(server: Server, contender: string): Promise<number> {
  for (let i = 0; i < 5; i++) {
    const res = await get(`${server.url}/item`);
    if (
      res.status !== 200 ||
      !Buffer.from(res.body).toString().includes(BODY.toString().slice(0, 40))
    ) {
      throw new Error(`${contender}: wrong answer (${res.status}, ${res.body.length} bytes)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number((await get(`${server.url}/__calls`)).body.toString());
}

// The app server's own CPU time (user + system), read from /proc: steadier than req/s when other
// work shares the machine. Redis's share of a hit is not in it (it runs on the other core).
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const toMs = (text: string) => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
};

const servers = new Map<string, Server>();
const notes: string[] = [];
for (const contender of CONTENDERS) {
  const server = await startApp(contender);
  servers.set(contender, server);
  const calls = await verify(server, contender);
  if (calls !== 1) notes.push(`${contender}: the handler ran ${calls} times for 5 requests`);
  await wrk(`${server.url}/item`, { seconds: 2, connections: CONNECTIONS, cpu: '0' });
}

interface Run {
  rps: number;
  p99: number;
  requests: number;
  errors: number;
  cpuUs: number;
}
const runs = new Map<string, Run[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < CONTENDERS.length; k++) {
    const contender = CONTENDERS[(k + round) % CONTENDERS.length] as string;
    const server = servers.get(contender) as Server;
    const cpuBefore = cpuSeconds(server.child.pid as number);
    const result = await wrk(`${server.url}/item`, {
      seconds: SECONDS,
      connections: CONNECTIONS,
      cpu: '0',
    });
    const list = runs.get(contender) ?? [];
    list.push({
      rps: result.rps,
      p99: toMs(result.p99),
      requests: result.requests,
      errors: result.errors + result.non2xx,
      cpuUs:
        ((cpuSeconds(server.child.pid as number) - cpuBefore) * 1e6) / Math.max(1, result.requests),
    });
    runs.set(contender, list);
  }
}
const calls = new Map<string, number>();
for (const [contender, server] of servers) {
  calls.set(contender, Number((await get(`${server.url}/__calls`)).body.toString()));
  server.child.kill();
}
await redis.stop();

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const rpsOf = (c: string) => median((runs.get(c) ?? []).map((r) => r.rps));
const cpuOf = (c: string) => median((runs.get(c) ?? []).map((r) => r.cpuUs));
const lines: string[] = [];
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
lines.push(`### Redis benchmark, ${date} UTC`, '');
lines.push(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; app server on CPU 1, wrk (-t1 -c${CONNECTIONS}) and redis-server 7 on CPU 0. ${ROUNDS} rounds × ${SECONDS} s per contender after a 2 s warm-up, interleaved. Larder from source (tsx). Route: about 2 ms of CPU and a 2048-byte JSON body; \`responseCache({ store, ttl: 3600 })\`.`,
  '',
  '| contender | req/s (median) | min–max | × memory-backed hit | app CPU µs/req | × memory (CPU) | p99 (median) | errors | handler calls / requests |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
);
for (const contender of CONTENDERS) {
  const list = runs.get(contender) ?? [];
  const rps = rpsOf(contender);
  const requests = list.reduce((sum, r) => sum + r.requests, 0);
  const base = memoryOf(contender);
  lines.push(
    `| ${LABELS[contender]} | ${fmt(rps)} | ${fmt(Math.min(...list.map((r) => r.rps)))}–${fmt(Math.max(...list.map((r) => r.rps)))} | ${fmt(rps / rpsOf(base), 2)} | ${fmt(cpuOf(contender), 1)} | ${fmt(cpuOf(base) / cpuOf(contender), 2)} | ${fmt(median(list.map((r) => r.p99)), 2)} ms | ${list.reduce((s, r) => s + r.errors, 0)} | ${calls.get(contender)} / ${requests} |`,
  );
}
if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
mkdirSync(here('./results'), { recursive: true });
writeFileSync(here(`./results/redis-${new Date().toISOString().slice(0, 10)}.md`), text);
