// Redis benchmark, in one run: the hit path of responseCache on Express and on Koa with Larder's
// memory store, with its Redis store, and with the Redis store plus its near cache, beside
// apicache over the same Redis (Express). Medians, ratios to the memory-backed hit, and p99.
// Not a test: nothing here asserts a duration.
//
// Run (wrk and redis-server installed): node --conditions=@larder/source --import tsx bench/redis.ts
// Settings: BENCH_ROUNDS (3), BENCH_SECONDS (5).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startRedis } from '../test/helpers/servers/redis.ts';
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
  pinToCpu0,
  rpsOf as rpsOfRuns,
  startApp,
} from './store-runs.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
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
pinToCpu0();
const redis = await startRedis();

async function verify(server: AppServer, contender: string): Promise<number> {
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

const servers = new Map<string, AppServer>();
const notes: string[] = [];
for (const contender of CONTENDERS) {
  const server = await startApp('./redis-server.ts', [contender, redis.url]);
  servers.set(contender, server);
  const calls = await verify(server, contender);
  if (calls !== 1) notes.push(`${contender}: the handler ran ${calls} times for 5 requests`);
}

const { runs, calls } = await measureHitPath(servers, { rounds: ROUNDS, seconds: SECONDS });
await redis.stop();

const rpsOf = (c: string) => rpsOfRuns(runs, c);
const cpuOf = (c: string) => cpuOfRuns(runs, c);
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
