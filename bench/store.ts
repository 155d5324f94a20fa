// Store benchmark: Larder's memory store (synchronous path) and the Cache facade (`get`, `wrap`)
// against raw lru-cache, in one run, reported as medians and ratios; then heap bytes per 1 KiB
// entry. Not a test: nothing here asserts a duration.
//
// Run: node --conditions=@larder/source --import tsx --expose-gc bench/store.ts
import { createCache, createMemoryStore } from '@larder/core';
import { LRUCache } from 'lru-cache';

const KEYS = 10_000;
const SYNC_OPS = 1_000_000;
const ASYNC_OPS = 200_000;
const WARMUPS = 2;
const ROUNDS = 11;
const MEMORY_ENTRIES = 100_000;

// mulberry32: a seeded PRNG so every contender sees the same operation sequence.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
const value = Buffer.alloc(1024, 1);
function sequence(count: number, seed: number) {
  const random = prng(seed);
  const isGet = new Uint8Array(count);
  const index = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) {
    isGet[i] = random() < 0.8 ? 1 : 0;
    index[i] = Math.floor(random() * KEYS);
  }
  return { isGet, index, count };
}
const syncOps = sequence(SYNC_OPS, 42);
const asyncOps = sequence(ASYNC_OPS, 42);

interface Contender {
  name: string;
  baseline: string;
  /** A second baseline to pair with (the facade against the awaited floor). */
  floor?: string;
  async: boolean;
  run(): Promise<number> | number; // ops per second on a fresh, prefilled instance
}

function timeSync(get: (k: string) => unknown, set: (k: string, v: unknown) => unknown): number {
  for (const k of keys) set(k, value);
  const { isGet, index, count } = syncOps;
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    const k = keys[index[i]!]!;
    if (isGet[i] === 1) sink += get(k) === undefined ? 0 : 1;
    else set(k, value);
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) throw new Error('unreachable');
  return count / (ns / 1e9);
}

async function timeAsync(
  get: (k: string) => unknown,
  set: (k: string, v: unknown) => unknown,
): Promise<number> {
  for (const k of keys) await set(k, value);
  const { isGet, index, count } = asyncOps;
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    const k = keys[index[i]!]!;
    if (isGet[i] === 1) sink += (await get(k)) === undefined ? 0 : 1;
    else await set(k, value);
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) throw new Error('unreachable');
  return count / (ns / 1e9);
}

// Raw lru-cache, timed synchronously or with every operation awaited.
function lruContender(name: string, ttl: number, async: boolean): Contender {
  return {
    name,
    baseline: ttl > 0 ? 'lru-cache {max, ttl}' : 'lru-cache {max}',
    async,
    run() {
      const lru = new LRUCache<string, {}>({ max: KEYS, ...(ttl > 0 ? { ttl } : {}) });
      const get = (k: string) => lru.get(k);
      const set = (k: string, v: unknown) => lru.set(k, v as {});
      return async ? timeAsync(get, set) : timeSync(get, set);
    },
  };
}

// The memory store's synchronous path, against lru-cache with the same TTL setting.
function storeContender(name: string, ttl: string | undefined): Contender {
  return {
    name,
    baseline: ttl === undefined ? 'lru-cache {max}' : 'lru-cache {max, ttl}',
    async: false,
    run() {
      const store = createMemoryStore({ maxEntries: KEYS, ...(ttl === undefined ? {} : { ttl }) });
      return timeSync(store.get, store.set);
    },
  };
}

// The facade over one memory store: awaited `get` (or `wrap`) mixed with awaited `set`.
function facadeContender(name: string, read: 'get' | 'wrap'): Contender {
  return {
    name,
    baseline: 'lru-cache {max}',
    floor: 'lru-cache {max}, each op awaited',
    async: true,
    run() {
      const cache = createCache({ stores: { ram: createMemoryStore({ maxEntries: KEYS }) } });
      const get =
        read === 'get' ? (k: string) => cache.get(k) : (k: string) => cache.wrap(k, () => value);
      return timeAsync(get, (k, v) => cache.set(k, v));
    },
  };
}

const contenders: Contender[] = [
  lruContender('lru-cache {max}', 0, false),
  storeContender('memory store (defaults: maxEntries + maxBytes)', undefined),
  lruContender('lru-cache {max, ttl}', 300_000, false),
  storeContender("memory store {ttl: '5m'}", '5m'),
  // The floor for any awaited API: the same lru-cache with every operation awaited.
  lruContender('lru-cache {max}, each op awaited', 0, true),
  facadeContender('facade get/set (awaited)', 'get'),
  facadeContender('facade wrap/set (awaited)', 'wrap'),
];

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const fmt = (opsPerSecond: number) => `${(opsPerSecond / 1e6).toFixed(2)} M`;

async function throughput(): Promise<void> {
  const byName = new Map(contenders.map((c) => [c.name, c]));
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  // Per contender and baseline name: baseline ops/s ÷ contender ops/s, one per round.
  const ratios = new Map<string, number[]>();
  const pairs = (c: Contender) =>
    [c.baseline, c.floor].filter((b): b is string => b !== undefined && b !== c.name);
  for (let round = 0; round < WARMUPS + ROUNDS; round += 1) {
    // Rotate the order each round so no contender always runs first (or right after a GC).
    for (let i = 0; i < contenders.length; i += 1) {
      const contender = contenders[(i + round) % contenders.length]!;
      // The machine is shared: a ratio compares the contender with baseline runs right before
      // it, so a burst of load elsewhere moves both alike.
      const before: number[] = [];
      for (const name of pairs(contender)) before.push(await byName.get(name)!.run());
      const opsPerSecond = await contender.run();
      if (round < WARMUPS) continue;
      samples.get(contender.name)!.push(opsPerSecond);
      pairs(contender).forEach((name, j) => {
        const key = `${contender.name}\n${name}`;
        ratios.set(key, [...(ratios.get(key) ?? []), before[j]! / opsPerSecond]);
      });
    }
  }
  console.log(
    `\nMixed ops: 80 % get / 20 % set over ${KEYS} keys, 1 KiB Buffer values, seeded PRNG; ` +
      `${SYNC_OPS} sync / ${ASYNC_OPS} awaited ops per run, median of ${ROUNDS} runs after ${WARMUPS} warm-ups.\n` +
      'Each ratio is the median over rounds of (baseline ops/s ÷ contender ops/s), the baseline run\n' +
      'right before the contender in the same round.\n',
  );
  console.log(
    '| contender | ops/s (median) | min–max | time per op vs baseline (median of pairs) |',
  );
  console.log('|---|---:|---:|---:|');
  for (const contender of contenders) {
    const xs = samples.get(contender.name)!;
    const cells = pairs(contender).map(
      (name) => `${median(ratios.get(`${contender.name}\n${name}`)!).toFixed(2)}× ${name}`,
    );
    const ratio = cells.length === 0 ? '1.00× (baseline)' : cells.join('; ');
    console.log(
      `| ${contender.name} | ${fmt(median(xs))} | ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} | ${ratio} |`,
    );
  }
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc to measure memory');
  for (let i = 0; i < 4; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

// A distinct, flat, one-byte 1 KiB string per entry (a Buffer decoded as latin1 is never a rope).
function payload(i: number): string {
  const bytes = Buffer.alloc(1024, 97);
  bytes.write(String(i), 0, 'latin1');
  return bytes.toString('latin1');
}

function bytesPerEntry(fill: () => unknown): number {
  const before = heapAfterGc();
  const holder = fill();
  const after = heapAfterGc();
  if (holder === undefined) throw new Error('unreachable');
  return (after - before) / MEMORY_ENTRIES;
}

function memory(): void {
  const rows: Array<[string, number]> = [];
  for (let round = 0; round < 2; round += 1) {
    rows.length = 0;
    rows.push([
      'lru-cache {max}',
      bytesPerEntry(() => {
        const lru = new LRUCache<string, string>({ max: MEMORY_ENTRIES });
        for (let i = 0; i < MEMORY_ENTRIES; i += 1) lru.set(`key:${i}`, payload(i));
        return lru;
      }),
    ]);
    for (const [name, maxBytes] of [
      ['memory store {maxEntries, maxBytes: Infinity}', Number.POSITIVE_INFINITY],
      ['memory store {maxEntries, maxBytes: 1 GiB}', 2 ** 30],
    ] as const) {
      rows.push([
        name,
        bytesPerEntry(() => {
          const store = createMemoryStore({ maxEntries: MEMORY_ENTRIES, maxBytes });
          for (let i = 0; i < MEMORY_ENTRIES; i += 1) store.set(`key:${i}`, payload(i));
          return store;
        }),
      ]);
    }
  }
  const base = rows[0]![1];
  console.log(
    `\nHeap per entry: ${MEMORY_ENTRIES} entries of distinct 1 KiB one-byte strings, heapUsed delta after 4× gc ` +
      '(payload ≈1 040 B + key included; second of two passes).\n',
  );
  console.log('| store | bytes per 1 KiB entry | vs lru-cache |');
  console.log('|---|---:|---:|');
  for (const [name, bytes] of rows) {
    console.log(`| ${name} | ${bytes.toFixed(0)} | ${(bytes / base).toFixed(3)}× |`);
  }
}

console.log(`Node ${process.version}, ${process.platform} ${process.arch}`);
await throughput();
memory();
