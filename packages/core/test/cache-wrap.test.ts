import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { deferred, manualClock, mapStore, settle } from './cache-helpers.ts';

function setup(options: { async?: boolean } = {}) {
  const clock = manualClock();
  const errors: Error[] = [];
  const store = mapStore(clock.now, { async: options.async ?? false });
  const cache = createCache({
    now: clock.now,
    stores: { s: store },
    onError: (e) => errors.push(e),
  });
  return { clock, cache, errors, store };
}

describe('cache.wrap', () => {
  it('computes on a miss, stores the result and serves it from the cache after', async () => {
    const { cache } = setup();
    let calls = 0;
    const fn = async () => ++calls;
    assert.equal(await cache.wrap('k', fn, 60), 1);
    assert.equal(await cache.wrap('k', fn, 60), 1);
    assert.equal(await cache.get('k'), 1);
    assert.equal(calls, 1);
  });

  it('accepts a synchronous function', async () => {
    const { cache } = setup();
    assert.equal(await cache.wrap('k', () => 'sync'), 'sync');
    assert.equal(await cache.get('k'), 'sync');
  });

  it('recomputes once the ttl has passed', async () => {
    const { cache, clock } = setup();
    let calls = 0;
    await cache.wrap('k', () => ++calls, '10s');
    clock.advance(11);
    assert.equal(await cache.wrap('k', () => ++calls, '10s'), 2);
  });

  it('caches null but not undefined', async () => {
    const { cache } = setup();
    let calls = 0;
    const counted = (value: unknown) => () => {
      calls++;
      return value;
    };
    await cache.wrap('n', counted(null));
    await cache.wrap('n', counted(null));
    await cache.wrap('u', counted(undefined));
    await cache.wrap('u', counted(undefined));
    assert.equal(calls, 3);
  });

  for (const async of [false, true]) {
    const store = async ? 'an asynchronous store' : 'a synchronous store';
    it(`runs fn once for 100 concurrent calls on one cold key (${store})`, async () => {
      const { cache } = setup({ async });
      let calls = 0;
      const gate = deferred<string>();
      const results = Promise.all(
        Array.from({ length: 100 }, () =>
          cache.wrap('cold', () => {
            calls++;
            return gate.promise;
          }),
        ),
      );
      await settle();
      gate.resolve('value');
      assert.deepEqual(await results, Array(100).fill('value'));
      assert.equal(calls, 1);
      const stats = cache.stats();
      assert.equal(stats.misses, 1);
      assert.equal(stats.coalesced, 99);
      assert.equal(stats.computes, 1);
    });

    it(`gives every waiter the error and stores nothing when fn throws (${store})`, async () => {
      const { cache } = setup({ async });
      let calls = 0;
      const boom = new Error('boom');
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          cache.wrap('k', async () => {
            calls++;
            throw boom;
          }),
        ),
      );
      assert.equal(calls, 1);
      for (const result of results) assert.deepEqual(result, { status: 'rejected', reason: boom });
      assert.equal(await cache.get('k'), undefined);
      assert.equal(cache.stats().computeErrors, 1);
      // The failure is not remembered: the next call computes again.
      assert.equal(await cache.wrap('k', () => 'ok'), 'ok');
    });
  }

  it('passes application errors through untouched, including synchronous throws', async () => {
    const { cache, errors } = setup();
    class AppError extends Error {}
    await assert.rejects(
      cache.wrap('k', () => {
        throw new AppError('sync');
      }),
      AppError,
    );
    assert.equal(errors.length, 0);
  });

  it('keeps different keys independent while one computes', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    const slow = cache.wrap('a', () => gate.promise);
    assert.equal(await cache.wrap('b', () => 'b'), 'b');
    gate.resolve('a');
    assert.equal(await slow, 'a');
  });

  it('rejects a non-function and a bad ttl, naming cache.wrap', async () => {
    const { cache } = setup();
    await assert.rejects(
      cache.wrap('k', 'nope' as never),
      /cache\.wrap: the second argument must be a function/,
    );
    await assert.rejects(
      cache.wrap('k', () => 1, -5),
      {
        name: 'RangeError',
        message: /cache\.wrap: option "ttl" must be a non-negative duration.*got -5/,
      },
    );
    await assert.rejects(
      cache.wrap('k', () => 1, { staleIfError: 'soon' }),
      /cache\.wrap: option "staleIfError"/,
    );
  });
});

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
    const { cache, store } = setup();
    await cache.wrap('k', () => 'v', options);
    const clock = manualClock();
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

describe('cache.wrap types', () => {
  it('infers the resolved type of an async or sync function', async () => {
    const { cache } = setup();
    const fromAsync: number = await cache.wrap('a', async () => 5);
    const fromSync: string = await cache.wrap('s', () => 'x');
    const typed = await cache.get<{ id: number }>('missing');
    const id: number | undefined = typed?.id;
    assert.deepEqual([fromAsync, fromSync, id], [5, 'x', undefined]);
  });
});
