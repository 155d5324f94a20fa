import { createCache, createMemoryStore } from '@larder/core';

let t = Date.UTC(2026, 0, 1);
const m = createMemoryStore({ now: () => t });
for (const [k, s] of [
  ['d60', 60 * 86400],
  ['y100', 100 * 365 * 86400],
  ['huge', 1e12],
  ['max', Number.MAX_VALUE],
] as const)
  m.set(k, 'v', s);
t += 59 * 86400e3;
console.log('59d', m.get('d60'), m.get('y100'), m.get('huge'), m.get('max'));
t += 2 * 86400e3;
console.log('61d', m.get('d60'), m.get('y100'), m.get('huge'), m.get('max'));
const d = createMemoryStore();
d.set('a', 'v', 60 * 86400);
d.set('b', 'v', 1e12);
console.log('default clock', d.get('a'), d.get('b'));
const c = createCache({ now: () => t });
await c.set('x', 'v', '60 days');
t += 59 * 86400e3;
console.log('cache 59d', await c.get('x'));
