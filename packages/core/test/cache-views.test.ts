import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { manualClock, mapStore } from './cache-helpers.ts';

function setup() {
  const clock = manualClock();
  const ram = mapStore(clock.now, { clear: true });
  const disk = mapStore(clock.now, { async: true, clear: true });
  const cache = createCache({
    now: clock.now,
    prefix: 'app:',
    stores: { ram, disk },
    default: 'ram',
    regions: { short_term: { ttl: 10 }, long_term: { store: 'disk', ttl: '1h' } },
  });
  return { clock, cache, ram, disk };
}

describe('cache.store (weppy handlers)', () => {
  it('reads and writes the named store, the default one otherwise', async () => {
    const { cache, ram, disk } = setup();
    await cache.set('a', 'in ram');
    await cache.store('disk').set('a', 'on disk');
    assert.equal(ram.data.get('app:a')?.value, 'in ram');
    assert.equal(disk.data.get('app:a')?.value, 'on disk');
    assert.equal(await cache.store('disk').get('a'), 'on disk');
    assert.equal(await cache.store('ram').get('a'), 'in ram');
    assert.equal(cache.store('disk').storeName, 'disk');
  });

  it('throws naming cache.store and the known names for an unknown store', () => {
    const { cache } = setup();
    assert.throws(() => cache.store('redis'), {
      name: 'TypeError',
      message: 'cache.store: unknown store "redis" (known: "ram", "disk")',
    });
  });
});

describe('cache.region (Beaker regions)', () => {
  it("writes to the region's store with the region's ttl", async () => {
    const { cache, clock, disk } = setup();
    await cache.region('short_term').set('s', 1);
    await cache.region('long_term').set('l', 2);
    assert.ok(disk.data.has('app:l'));
    clock.advance(11);
    assert.equal(await cache.region('short_term').get('s'), undefined);
    assert.equal(await cache.region('long_term').get('l'), 2);
    clock.advance(3600);
    assert.equal(await cache.region('long_term').get('l'), undefined);
  });

  it("lets a call's own ttl override the region's", async () => {
    const { cache, clock } = setup();
    await cache.region('short_term').set('s', 1, 100);
    clock.advance(50);
    assert.equal(await cache.region('short_term').get('s'), 1);
  });

  it('throws naming cache.region for an unknown region', () => {
    const { cache } = setup();
    assert.throws(() => cache.region('mid'), /^TypeError: cache\.region: unknown region "mid"/);
  });
});

describe('cache.namespace', () => {
  it('prefixes keys with the name and nests', async () => {
    const { cache, ram } = setup();
    const users = cache.namespace('users');
    await users.set('1', 'ann');
    await users.namespace('admins').set('1', 'bob');
    assert.deepEqual([...ram.data.keys()], ['app:users:1', 'app:users:admins:1']);
    assert.equal(users.prefix, 'app:users:');
    assert.equal(await users.get('1'), 'ann');
    assert.equal(await cache.get('users:1'), 'ann');
  });

  it('clear on a namespace removes only its keys', async () => {
    const { cache } = setup();
    await cache.namespace('a').set('1', 1);
    await cache.namespace('ab').set('1', 2);
    await cache.set('other', 3);
    await cache.namespace('a').clear();
    assert.equal(await cache.namespace('a').get('1'), undefined);
    assert.equal(await cache.namespace('ab').get('1'), 2);
    assert.equal(await cache.get('other'), 3);
  });

  it('clear on the root cache removes only keys under its prefix', async () => {
    const { clock, ram } = setup();
    const cache = createCache({ now: clock.now, prefix: 'app:', stores: { ram } });
    ram.data.set('foreign:1', { value: 'x', expires: Number.POSITIVE_INFINITY });
    await cache.set('a', 1);
    await cache.clear();
    assert.deepEqual([...ram.data.keys()], ['foreign:1']);
  });

  it('keeps the namespace when switching store or region', async () => {
    const { cache, disk } = setup();
    await cache.namespace('ns').store('disk').set('k', 1);
    await cache.namespace('ns').region('long_term').set('j', 2);
    assert.deepEqual([...disk.data.keys()], ['app:ns:k', 'app:ns:j']);
  });

  it('throws naming cache.namespace for an empty name', () => {
    const { cache } = setup();
    assert.throws(
      () => cache.namespace(''),
      /cache\.namespace: the name must be a non-empty string/,
    );
  });

  it('shares counters and single-flight across views', async () => {
    const { cache } = setup();
    let calls = 0;
    const fn = () => new Promise<number>((resolve) => setImmediate(() => resolve(++calls)));
    await Promise.all([cache.wrap('ns:k', fn), cache.namespace('ns').wrap('k', fn)]);
    assert.equal(calls, 1);
    assert.equal(cache.namespace('x').stats().coalesced, 1);
  });
});

describe('createCache options', () => {
  const store = () => createMemoryStore();
  const cases: Array<[string, Parameters<typeof createCache>[0], RegExp]> = [
    [
      'an unknown default store',
      { stores: { ram: store() }, default: 'disk' },
      /createCache: option "default" must be one of the store names \(ram\), got "disk"/,
    ],
    [
      'several stores without a default',
      { stores: { a: store(), b: store() } },
      /createCache: option "default" is required when "stores" names several stores/,
    ],
    [
      'no stores at all',
      { stores: {} },
      /createCache: option "stores" must be an object naming at least one store/,
    ],
    [
      'a store without get/set/delete',
      { stores: { bad: {} as never } },
      /createCache: option "stores\.bad" must be a Store/,
    ],
    [
      'a region on an unknown store',
      { regions: { r: { store: 'disk' } } },
      /createCache: option "regions\.r\.store" must be a name in "stores", got "disk"/,
    ],
    [
      'a region that is not an object',
      { regions: { r: 5 as never } },
      /createCache: option "regions\.r" must be an object, got 5/,
    ],
    [
      'a bad region ttl',
      { regions: { r: { ttl: -1 } } },
      /createCache: option "regions\.r\.ttl" must be a non-negative duration.*got -1/,
    ],
    [
      'a bad ttl',
      { ttl: 'forever-ish' },
      /createCache: option "ttl" must be a non-negative duration.*got "forever-ish"/,
    ],
    [
      'a bad staleWhileRevalidate',
      { staleWhileRevalidate: Number.NaN },
      /createCache: option "staleWhileRevalidate"/,
    ],
    ['a zero timeout', { timeout: 0 }, /createCache: option "timeout" must be above 0, got 0/],
    [
      'a non-function onError',
      { onError: 'log' as never },
      /createCache: option "onError" must be a function, got "log"/,
    ],
    [
      'a non-string prefix',
      { prefix: 5 as never },
      /createCache: option "prefix" must be a string, got 5/,
    ],
    [
      'a misspelt option',
      { store: createMemoryStore() } as never,
      /createCache: unknown option "store" \(did you mean "stores"\?\); known options: stores, default/,
    ],
    [
      'a misspelt region option',
      { regions: { r: { tll: 5 } as never } },
      /createCache: unknown option "regions\.r\.tll" \(did you mean "regions\.r\.ttl"\?\); known options: regions\.r\.store/,
    ],
    [
      'a non-function now',
      { now: 5 as never },
      /createCache: option "now" must be a function, got 5/,
    ],
  ];
  for (const [label, options, message] of cases) {
    it(`throws at setup for ${label}`, () => {
      assert.throws(() => createCache(options), message);
    });
  }

  it('uses the only store as the default without naming it', async () => {
    const cache = createCache({ stores: { only: store() } });
    assert.equal(cache.storeName, 'only');
  });

  it('accepts Infinity as the timeout (no limit)', () => {
    assert.doesNotThrow(() => createCache({ timeout: 'never' }));
  });
});
