import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { deferred, manualClock, settle, wrapSetup as setup } from './cache-helpers.ts';

describe('cache.wrap with staleWhileRevalidate', () => {
  const options = { ttl: 10, staleWhileRevalidate: 30 };

  it('serves the stale value at once and runs ONE background refresh within the window', async () => {
    const { cache, clock } = setup();
    let calls = 0;
    await cache.wrap('k', () => `v${++calls}`, options);
    clock.advance(15);
    const gate = deferred<void>();
    const refresh = async () => {
      await gate.promise;
      return `v${++calls}`;
    };
    const served = await Promise.all(
      Array.from({ length: 10 }, () => cache.wrap('k', refresh, options)),
    );
    assert.deepEqual(served, Array(10).fill('v1'));
    gate.resolve();
    await settle();
    assert.equal(calls, 2);
    assert.equal(await cache.wrap('k', refresh, options), 'v2');
    const stats = cache.stats();
    assert.equal(stats.stale, 10);
    assert.equal(stats.refreshes, 1);
  });

  it('computes in the foreground once the window has passed', async () => {
    const { cache, clock } = setup();
    let calls = 0;
    await cache.wrap('k', () => ++calls, options);
    clock.advance(41);
    assert.equal(await cache.wrap('k', () => ++calls, options), 2);
    assert.equal(cache.stats().stale, 0);
  });

  it('keeps the stale value and reports to onError when the background refresh fails', async () => {
    const { cache, clock, errors } = setup();
    await cache.wrap('k', () => 'old', options);
    clock.advance(15);
    const failure = new Error('db down');
    assert.equal(await cache.wrap('k', () => Promise.reject(failure), options), 'old');
    await settle();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /cache\.wrap: background refresh of "k" failed/);
    assert.equal(errors[0]!.cause, failure);
    assert.equal(
      await cache.wrap('k', () => 'new', { ...options, staleWhileRevalidate: 0 }),
      'new',
    );
  });

  it('does not serve a stale value to get', async () => {
    const { cache, clock } = setup();
    await cache.wrap('k', () => 'v', options);
    clock.advance(15);
    assert.equal(await cache.get('k'), undefined);
  });

  it('keeps the entry in the store for ttl plus the window', async () => {
    const { cache, clock, store } = setup();
    await cache.wrap('k', () => 'v', options);
    assert.equal(store.data.get('k')?.expires, clock.now() + 40_000);
  });
});

describe('cache.wrap with staleIfError', () => {
  const options = { ttl: 10, staleIfError: 60 };

  it('serves the stale value when fn throws within the window', async () => {
    const { cache, clock } = setup();
    await cache.wrap('k', () => 'old', options);
    clock.advance(30);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        cache.wrap('k', () => Promise.reject(new Error('x')), options),
      ),
    );
    assert.deepEqual(results, Array(5).fill('old'));
    assert.equal(cache.stats().stale, 5);
  });

  it('stores the new value when fn succeeds', async () => {
    const { cache, clock } = setup();
    await cache.wrap('k', () => 'old', options);
    clock.advance(30);
    assert.equal(await cache.wrap('k', () => 'new', options), 'new');
    assert.equal(await cache.get('k'), 'new');
  });

  it('lets the error through once the window has passed', async () => {
    const { cache, clock } = setup();
    await cache.wrap('k', () => 'old', options);
    clock.advance(71);
    await assert.rejects(
      cache.wrap('k', () => Promise.reject(new Error('late')), options),
      /late/,
    );
  });

  it('uses the window given to the call that fails', async () => {
    const { cache, clock } = setup();
    await cache.wrap('k', () => 'old', options);
    clock.advance(30);
    await assert.rejects(
      cache.wrap('k', () => Promise.reject(new Error('no window')), 10),
      /no window/,
    );
  });

  it('applies the cache-wide default windows', async () => {
    const clock = manualClock();
    const cache = createCache({ now: clock.now, ttl: 10, staleIfError: '1m' });
    await cache.wrap('k', () => 'old');
    clock.advance(30);
    assert.equal(await cache.wrap('k', () => Promise.reject(new Error('x'))), 'old');
  });
});
