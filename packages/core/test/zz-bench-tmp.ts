import { LRUCache } from 'lru-cache';
import { createCache, createMemoryStore } from '@larder/core';
const N = 10_000, OPS = 400_000;
const keys = Array.from({ length: N }, (_, i) => `key:${i}`);
const value = Buffer.alloc(1024, 1);
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const seq = Array.from({ length: OPS }, () => [rnd() < 0.8, keys[Math.floor(rnd() * N)]!] as const);
async function timeAsync(get: (k: string) => unknown, set: (k: string, v: unknown) => unknown) {
  for (const k of keys) await set(k, value);
  const t = process.hrtime.bigint();
  for (const [isGet, k] of seq) { if (isGet) await get(k); else await set(k, value); }
  return Number(process.hrtime.bigint() - t) / OPS;
}
const results: Record<string, number[]> = { floor: [], facade: [], wrap: [] };
for (let r = 0; r < 9; r++) {
  const lru = new LRUCache<string, {}>({ max: N });
  results.floor!.push(await timeAsync((k) => lru.get(k), (k, v) => lru.set(k, v as {})));
  const cache = createCache({ stores: { ram: createMemoryStore({ maxEntries: N }) } });
  results.facade!.push(await timeAsync((k) => cache.get(k), (k, v) => cache.set(k, v)));
  const c2 = createCache({ stores: { ram: createMemoryStore({ maxEntries: N }) } });
  results.wrap!.push(await timeAsync((k) => c2.wrap(k, () => value), (k, v) => c2.set(k, v)));
}
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = med(results.floor!);
for (const [k, v] of Object.entries(results)) console.log(k, med(v).toFixed(1), 'ns/op', (med(v) / f).toFixed(2), 'x floor');
