// Measures the polling schedule of cross-process coalescing (`joinSharedFlight` in @larder/core)
// on a real memcached: one holder computes for C ms and stores the value, W waiters (each on its
// own memcached connection, as separate processes would be) poll until it lands. Reported per
// schedule: how long after the value landed the waiters noticed (median and worst, ms) and how
// many store reads each made. Run: npm run bench:shared-flight (memcached must be installed).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { joinSharedFlight, type SharedFound } from '@larder/core';
import { createMemcachedStore, type MemcachedStore } from '@larder/memcached';
import { freePort, waitForPort } from '../test/helpers/servers/server-process.ts';

const WAITERS = Number(process.env.BENCH_WAITERS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMPUTE_MS = [50, 300, 2000];
const SCHEDULES = [
  { label: 'fixed 5 ms', firstMs: 5, maxMs: 5 },
  { label: 'fixed 50 ms', firstMs: 50, maxMs: 50 },
  { label: '10 ms doubling to 50 ms (default)', firstMs: 10, maxMs: 50 },
  { label: '10 ms doubling to 100 ms', firstMs: 10, maxMs: 100 },
  { label: '10 ms doubling to 500 ms', firstMs: 10, maxMs: 500 },
];

const port = await freePort();
const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-t', '1'];
if (process.getuid?.() === 0) args.push('-u', 'nobody');
const server = spawn('memcached', args, { stdio: 'ignore' });
await waitForPort(port);

const open = (): MemcachedStore =>
  createMemcachedStore({ servers: `127.0.0.1:${port}`, prefix: 'bench:' });
const holder = open();
const waiters = Array.from({ length: WAITERS }, open);
const report = (error: Error) => {
  throw error;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rows: string[] = [];
let round = 0;
for (const computeMs of COMPUTE_MS) {
  for (const schedule of SCHEDULES) {
    const lags: number[] = [];
    const reads: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const key = `k${++round}`;
      const options = { deadlineMs: 10_000, timeoutMs: 1000, report, poll: schedule };
      const turn = await joinSharedFlight(holder, key, async () => undefined, options);
      let landed = 0;
      const waiting = waiters.map(async (store) => {
        let n = 0;
        const read = async (): Promise<SharedFound<unknown> | undefined> => {
          n += 1;
          const value = await store.get(key);
          return value === undefined ? undefined : { value };
        };
        const got = await joinSharedFlight(store, key, read, options);
        lags.push(Date.now() - landed);
        reads.push(n);
        if (got.found === undefined) throw new Error('a waiter computed');
      });
      await sleep(computeMs);
      await holder.set(key, 'v', 60);
      landed = Date.now();
      await turn.lock?.release();
      await Promise.all(waiting);
    }
    rows.push(
      `| ${computeMs} | ${schedule.label} | ${median(lags)} | ${Math.max(...lags)} | ${median(reads)} |`,
    );
  }
}

console.log(`${WAITERS} waiters, ${ROUNDS} rounds each, memcached on loopback\n`);
console.log('| compute ms | schedule | lag median ms | lag worst ms | reads per waiter (median) |');
console.log('|---:|---|---:|---:|---:|');
for (const row of rows) console.log(row);
await Promise.all([holder, ...waiters].map((s) => s.close()));
server.kill('SIGKILL');
