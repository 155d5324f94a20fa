import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { deferred, manualClock, mapStore } from './cache-helpers.ts';

function setup() {
  const clock = manualClock();
  const store = mapStore(clock.now);
  const cache = createCache({ now: clock.now, stores: { s: store } });
  return { clock, cache, store };
}

describe('cache tags', () => {
  it('invalidateTags makes every value with one of the tags a miss', async () => {
    const { cache } = setup();
    await cache.set('post:1', 'p1', { tags: ['post:1', 'posts'] });
    await cache.set('post:2', 'p2', { tags: ['post:2', 'posts'] });
    await cache.set('user:1', 'u1', { tags: ['users'] });
    await cache.invalidateTags(['post:1']);
    assert.deepEqual(await cache.getMany(['post:1', 'post:2', 'user:1']), [undefined, 'p2', 'u1']);
    await cache.invalidateTags(['posts']);
    assert.deepEqual(await cache.getMany(['post:1', 'post:2', 'user:1']), [
      undefined,
      undefined,
      'u1',
    ]);
  });

  it('a value written after the invalidation is served', async () => {
    const { cache } = setup();
    await cache.set('k', 'old', { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await cache.set('k', 'new', { tags: ['t'] });
    assert.equal(await cache.get('k'), 'new');
  });

  it('wrap recomputes a value whose tag was invalidated', async () => {
    const { cache } = setup();
    let calls = 0;
    const load = () => cache.wrap('k', () => ++calls, { ttl: 60, tags: ['t'] });
    assert.equal(await load(), 1);
    assert.equal(await load(), 1);
    await cache.invalidateTags(['t']);
    assert.equal(await load(), 2);
  });

  it('an invalidation landing while wrap computes wins over the computed value', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    const pending = cache.wrap('k', () => gate.promise, { tags: ['t'] });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.invalidateTags(['t']);
    gate.resolve('computed from old data');
    assert.equal(await pending, 'computed from old data');
    assert.equal(await cache.get('k'), undefined);
  });

  it('never serves an invalidated value as stale, even within the stale windows', async () => {
    const { cache, clock } = setup();
    const options = { ttl: 10, staleWhileRevalidate: 60, staleIfError: 60, tags: ['t'] };
    await cache.wrap('k', () => 'old', options);
    clock.advance(20);
    await cache.invalidateTags(['t']);
    await assert.rejects(
      cache.wrap('k', () => Promise.reject(new Error('origin down')), options),
      /origin down/,
    );
    assert.equal(await cache.wrap('k', () => 'new', options), 'new');
  });

  it('reads a tagged value as a miss when its tag stamp is gone (evicted or expired)', async () => {
    const { cache, store } = setup();
    await cache.set('k', 'v', { tags: ['t'] });
    for (const key of [...store.data.keys()])
      if (key.includes('_larder:tag:')) store.data.delete(key);
    assert.equal(await cache.get('k'), undefined);
  });

  it('invalidates across namespaces and stores of one cache', async () => {
    const clock = manualClock();
    const cache = createCache({
      now: clock.now,
      stores: { ram: createMemoryStore({ now: clock.now }), map: mapStore(clock.now) },
      default: 'ram',
    });
    await cache.namespace('a').set('k', 1, { tags: ['t'] });
    await cache.store('map').set('k', 2, { tags: ['t'] });
    await cache.namespace('b').invalidateTags(['t']);
    assert.equal(await cache.namespace('a').get('k'), undefined);
    assert.equal(await cache.store('map').get('k'), undefined);
  });

  it("two caches sharing a store see each other's invalidations", async () => {
    const clock = manualClock();
    const shared = mapStore(clock.now);
    const one = createCache({ now: clock.now, stores: { s: shared } });
    const two = createCache({ now: clock.now, stores: { s: shared } });
    await one.set('k', 'v', { tags: ['t'] });
    assert.equal(await two.get('k'), 'v');
    await two.invalidateTags(['t']);
    assert.equal(await one.get('k'), undefined);
  });

  it('a read of an untagged value makes no extra store call', async () => {
    const { cache, store } = setup();
    await cache.set('plain', 1);
    store.calls.length = 0;
    await cache.get('plain');
    assert.deepEqual(store.calls, ['get plain']);
  });

  it('add and setMany carry tags too', async () => {
    const { cache } = setup();
    await cache.add('a', 1, { tags: ['t'] });
    await cache.setMany({ b: 2, c: 3 }, { ttl: 60, tags: ['t'] });
    await cache.invalidateTags(['t']);
    assert.deepEqual(await cache.getMany(['a', 'b', 'c']), [undefined, undefined, undefined]);
  });

  it('rejects tags that are not an array of non-empty strings', async () => {
    const { cache } = setup();
    await assert.rejects(cache.set('k', 1, { tags: 'posts' as never }), {
      name: 'TypeError',
      message: 'cache.set: option "tags" must be an array of non-empty strings, got "posts"',
    });
    await assert.rejects(
      cache.wrap('k', () => 1, { tags: [''] }),
      /cache\.wrap: option "tags"/,
    );
    await assert.rejects(
      cache.invalidateTags('posts' as never),
      /cache\.invalidateTags: option "tags"/,
    );
  });
});
