// Store operations per second on PostgreSQL, as their own process: Larder's PostgreSQL store
// (get, set, add, increment) beside @keyv/postgres through Keyv (get, set: it has no add or
// increment), each with CONCURRENCY operations in flight on a 10-connection pool. Prints one JSON
// line per measurement. Not a test: nothing here asserts a duration.
//
// Run by postgres.ts: node --conditions=@larder/source --import tsx postgres-ops.ts <pg-url> <seconds> <rounds>
import KeyvPostgres from '@keyv/postgres';
import { createPostgresStore } from '@larder/postgres';
import Keyv from 'keyv';
import { waitForQuiet } from './http/machine.mjs';

const [url = '', secondsArg = '3', roundsArg = '3'] = process.argv.slice(2);
const SECONDS = Number(secondsArg);
const ROUNDS = Number(roundsArg);
const CONCURRENCY = 16;
const KEYS = 1000;
const value = Buffer.alloc(1024, 7);

const larder = createPostgresStore({ connectionString: url, table: 'ops_larder', poolSize: 10 });
const keyv = new Keyv({ store: new KeyvPostgres({ uri: url, table: 'ops_keyv', max: 10 }) });
keyv.on('error', () => {});

type Op = (i: number) => Promise<unknown>;
const ops: Record<string, Op> = {
  'larder get': (i) => larder.get(`k:${i % KEYS}`),
  'keyv get': (i) => keyv.get(`k:${i % KEYS}`),
  'larder set': (i) => larder.set(`k:${i % KEYS}`, value, 3600),
  'keyv set': (i) => keyv.set(`k:${i % KEYS}`, value, 3_600_000),
  // Fresh keys each round: every add inserts (the losing branch costs the same statement).
  'larder add': (i) => larder.add(`add:${round}:${i}`, value, 3600),
  'larder increment': (i) => larder.increment(`n:${i % 100}`),
};
let round = 0;

async function measure(op: Op): Promise<{ ops: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        // A timed-out or refused operation is counted, not measured (the machine may be busy).
        if (
          await op(next++).then(
            () => true,
            () => false,
          )
        )
          latencies.push(performance.now() - start);
        else errors += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length / SECONDS,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
    errors,
  };
}

for (let i = 0; i < KEYS; i++) {
  await larder.set(`k:${i}`, value, 3600);
  await keyv.set(`k:${i}`, value, 3_600_000);
}
for (const op of Object.values(ops))
  await Promise.all(Array.from({ length: 200 }, (_, i) => op(i)));
const names = Object.keys(ops);
for (round = 0; round < ROUNDS; round++) {
  // Rotate the starting operation each round, so drift on the machine hits every one alike.
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length] as string;
    await waitForQuiet();
    const result = await measure(ops[name] as Op);
    process.stdout.write(`${JSON.stringify({ name, round, ...result })}\n`);
  }
}
await larder.close();
await keyv.disconnect();
