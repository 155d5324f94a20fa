/**
 * Memory per cached byte: fills one contender's cache with N distinct 2 KiB responses through a real
 * HTTP server in this process, and reports the heap + external (Buffer) growth after full GCs,
 * divided by the body bytes stored. Prints one JSON line. Needs --expose-gc.
 * Usage: node --expose-gc memory.mjs <contender> [entries]
 */
import { Agent, createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { createContender, importMemoryStore } from './apps.mjs';
import { get } from './client.mjs';
import { BODY_SIZE } from './payload.mjs';

const [name, entriesArg] = process.argv.slice(2);
const entries = Number(entriesArg ?? 100_000);
const WARM = 1000;
const CONCURRENCY = 16;

if (typeof globalThis.gc !== 'function') throw new Error('memory.mjs needs node --expose-gc');

const options = { rounds: 0, distinct: true };
if (name.startsWith('larder-')) {
  const createMemoryStore = await importMemoryStore();
  // Bounds well above the fill so nothing is evicted; the default store is used if none loads.
  if (createMemoryStore) {
    options.store = createMemoryStore({ maxEntries: entries + WARM + 1000, maxBytes: 2 ** 31 });
  }
}
const contender = await createContender(name, options);
if (contender.skip) {
  console.log(JSON.stringify({ name, skip: contender.skip }));
  process.exit(0);
}
const server = createServer(contender.listener);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

/** Requests `/prefix/<id>` for ids [from, to) with CONCURRENCY in flight; returns bad answers. */
async function fill(prefix, from, to) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = from;
  let bad = 0;
  async function lane() {
    while (next < to) {
      const id = next++;
      const { status, body } = await get(`${base}/${prefix}/${id}`, agent);
      if (status !== 200 || body.length !== BODY_SIZE) bad++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  agent.destroy();
  await delay(200);
  return bad;
}

async function settledMemory() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await delay(20);
  }
  return process.memoryUsage();
}

await fill('warm', 0, WARM);
const before = await settledMemory();
const bad = await fill('m', 0, entries);
const after = await settledMemory();
const callsAfterFill = contender.calls.get('*') ?? 0;
// A sample of the earliest entries must still be hits: otherwise the store evicted and the figure lies.
await fill('m', 0, Math.min(100, entries));
const evicted = (contender.calls.get('*') ?? 0) - callsAfterFill;

const bodyBytes = entries * BODY_SIZE;
const heap = after.heapUsed - before.heapUsed;
const external = after.external - before.external;
console.log(
  JSON.stringify({
    name,
    entries,
    bodyBytes,
    heap,
    external,
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    ratio: (heap + external) / bodyBytes,
    heapRatio: heap / bodyBytes,
    bad,
    evictedOfSample: evicted,
    handlerCalls: callsAfterFill,
  }),
);
server.close();
server.closeAllConnections?.();
process.exit(0);
