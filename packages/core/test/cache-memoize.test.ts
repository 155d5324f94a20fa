import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { manualClock, mapStore } from './cache-helpers.ts';

function setup() {
  const clock = manualClock();
  const cache = createCache({
    now: clock.now,
    stores: { ram: createMemoryStore({ now: clock.now }), other: mapStore(clock.now) },
    default: 'ram',
    regions: { short_term: { ttl: 10 }, long_term: { store: 'other', ttl: '1h' } },
  });
  return { clock, cache };
}

describe('cache.memoize', () => {
  it('computes once per distinct argument list', async () => {
    const { cache } = setup();
    const calls: unknown[][] = [];
    const add = cache.memoize(
      async (a: number, b: number) => {
        calls.push([a, b]);
        return a + b;
      },
      { name: 'add' },
    );
    assert.equal(await add(1, 2), 3);
    assert.equal(await add(1, 2), 3);
    assert.equal(await add(2, 1), 3);
    assert.deepEqual(calls, [
      [1, 2],
      [2, 1],
    ]);
  });

  it('does not mix up argument shapes', async () => {
    const { cache } = setup();
    const show = cache.memoize((...args: unknown[]) => JSON.stringify(args), { name: 'show' });
    assert.equal(await show('a,b'), '["a,b"]');
    assert.equal(await show('a', 'b'), '["a","b"]');
    assert.equal(await show(1), '[1]');
    assert.equal(await show('1'), '["1"]');
    assert.equal(await show(undefined), '[null]');
    assert.equal(await show(null), '[null]');
    assert.equal(await show({ a: 1, b: 2 }), '[{"a":1,"b":2}]');
    // Same value, other key order: served from the first call's entry.
    assert.equal(await show({ b: 2, a: 1 }), '[{"a":1,"b":2}]');
    assert.equal(await show({ a: 1, b: 3 }), '[{"a":1,"b":3}]');
  });

  it('takes the name from fn.name and refuses a second function with that name', () => {
    const { cache } = setup();
    const make = () =>
      function load(id: number) {
        return id;
      };
    cache.memoize(make());
    assert.throws(() => cache.memoize(make()), {
      name: 'TypeError',
      message: /cache\.memoize: another function is already memoized as "load"/,
    });
  });

  it('accepts the same function memoized twice, and an explicit name shared on purpose', async () => {
    const { cache } = setup();
    let calls = 0;
    function load(id: number) {
      calls++;
      return id * 2;
    }
    const one = cache.memoize(load);
    const two = cache.memoize(load);
    assert.equal(await one(2), 4);
    assert.equal(await two(2), 4);
    assert.equal(calls, 1, 'both memoizations share one entry');
    const a = cache.memoize((n: number) => n, { name: 'shared' });
    const b = cache.memoize((n: number) => n + 100, { name: 'shared' });
    assert.equal(await a(1), 1);
    assert.equal(await b(1), 1);
  });

  it('throws naming memoize when the function has no name and none is given', () => {
    const { cache } = setup();
    assert.throws(() => cache.memoize(((x: number) => x) as (x: number) => number, {}), {
      name: 'TypeError',
      message: /cache\.memoize: option "name" is required when the function has no name/,
    });
    const anonymous = [(x: number) => x][0]!;
    assert.throws(() => cache.memoize(anonymous), /option "name" is required/);
  });

  it('keeps functions with different names apart for the same arguments', async () => {
    const { cache } = setup();
    const double = cache.memoize((n: number) => n * 2, { name: 'double' });
    const triple = cache.memoize((n: number) => n * 3, { name: 'triple' });
    assert.equal(await double(5), 10);
    assert.equal(await triple(5), 15);
  });

  it('invalidate(...args) drops one result and invalidateAll drops all of them', async () => {
    const { cache } = setup();
    let calls = 0;
    const load = cache.memoize((id: number) => `${id}#${++calls}`, { name: 'load' });
    assert.equal(await load(1), '1#1');
    assert.equal(await load(2), '2#2');
    await load.invalidate(1);
    assert.equal(await load(1), '1#3');
    assert.equal(await load(2), '2#2');
    await load.invalidateAll();
    assert.equal(await load(1), '1#4');
    assert.equal(await load(2), '2#5');
  });

  it('invalidateAll of one function leaves other functions alone', async () => {
    const { cache } = setup();
    let calls = 0;
    const a = cache.memoize(() => ++calls, { name: 'a' });
    const b = cache.memoize(() => ++calls, { name: 'b' });
    await a();
    await b();
    await a.invalidateAll();
    assert.equal(await b(), 2);
    assert.equal(await a(), 3);
  });

  it("uses a region's store and ttl", async () => {
    const { cache, clock } = setup();
    let calls = 0;
    const short = cache.memoize(() => ++calls, { name: 'short', region: 'short_term' });
    const long = cache.memoize(() => ++calls, { name: 'long', region: 'long_term' });
    await short();
    await long();
    clock.advance(11);
    assert.equal(await short(), 3);
    assert.equal(await long(), 2);
    assert.equal(cache.store('other').prefix, '');
  });

  it('honours an explicit ttl, tags and a custom key function', async () => {
    const { cache, clock } = setup();
    let calls = 0;
    const byUser = cache.memoize(
      (user: { id: number; name: string }) => `${user.name}#${++calls}`,
      {
        name: 'byUser',
        ttl: '5s',
        tags: ['users'],
        key: (user) => String(user.id),
      },
    );
    assert.equal(await byUser({ id: 1, name: 'ann' }), 'ann#1');
    assert.equal(await byUser({ id: 1, name: 'renamed' }), 'ann#1');
    await cache.invalidateTags(['users']);
    assert.equal(await byUser({ id: 1, name: 'ann' }), 'ann#2');
    clock.advance(6);
    assert.equal(await byUser({ id: 1, name: 'ann' }), 'ann#3');
  });

  it('coalesces concurrent calls with the same arguments', async () => {
    const { cache } = setup();
    let calls = 0;
    const slow = cache.memoize(
      async (n: number) => {
        calls++;
        await new Promise((resolve) => setImmediate(resolve));
        return n;
      },
      { name: 'slow' },
    );
    assert.deepEqual(await Promise.all([slow(1), slow(1), slow(1), slow(2)]), [1, 1, 1, 2]);
    assert.equal(calls, 2);
  });

  it('passes this through to the function', async () => {
    const { cache } = setup();
    const repo = {
      base: 10,
      find: cache.memoize(
        function (this: { base: number }, n: number) {
          return this.base + n;
        },
        { name: 'repo.find' },
      ),
    };
    assert.equal(await repo.find(1), 11);
  });

  it('rejects arguments no key can be derived from, naming the function', async () => {
    const { cache } = setup();
    const f = cache.memoize((x: unknown) => x, { name: 'f' });
    await assert.rejects(
      f(() => 1),
      /memoize\(f\): cannot derive a cache key from function/,
    );
  });

  it('throws at setup for an unknown region and a bad ttl', () => {
    const { cache } = setup();
    assert.throws(() => cache.memoize(() => 1, { name: 'x', region: 'mid_term' }), {
      name: 'TypeError',
      message: 'cache.memoize: unknown region "mid_term" (known: "short_term", "long_term")',
    });
    assert.throws(() => cache.memoize(() => 1, { name: 'x', ttl: 'soon' }), {
      name: 'RangeError',
      message: /cache\.memoize\(x\): option "ttl" must be a non-negative duration.*got "soon"/,
    });
  });

  it('throws at setup for a misspelt option or options that are not an object', () => {
    const { cache } = setup();
    assert.throws(() => cache.memoize(() => 1, { name: 'x', regoin: 'short_term' } as never), {
      name: 'TypeError',
      message:
        /^cache\.memoize: unknown option "regoin" \(did you mean "region"\?\); known options: name, ttl, region/,
    });
    assert.throws(
      () => cache.memoize(() => 1, 'x' as never),
      /cache\.memoize: options must be an object, got "x"/,
    );
  });

  it('keeps memoized entries of namespaces apart', async () => {
    const { cache } = setup();
    const a = cache.namespace('a').memoize((n: number) => `a${n}`, { name: 'f' });
    let bCalls = 0;
    const b = cache.namespace('b').memoize((n: number) => `b${n}#${++bCalls}`, { name: 'f' });
    assert.equal(await a(1), 'a1');
    assert.equal(await b(1), 'b1#1');
    await a.invalidateAll();
    assert.equal(await b(1), 'b1#1');
  });

  it('throws at setup for tags that are not an array of non-empty strings', () => {
    const { cache } = setup();
    assert.throws(() => cache.memoize(() => 1, { name: 'x', tags: ['ok', ''] }), {
      name: 'TypeError',
      message: /cache\.memoize\(x\): option "tags" must be an array of non-empty strings/,
    });
  });
});
