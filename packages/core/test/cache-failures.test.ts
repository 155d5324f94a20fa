import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { CacheStoreError } from '../src/store-error.ts';
import { faultyStore } from './cache-helpers.ts';

for (const mode of ['reject', 'throw', 'hang'] as const) {
  describe(`a store that ${mode === 'hang' ? 'never answers' : `${mode}s`}`, () => {
    const setup = () => {
      const errors: Error[] = [];
      const cache = createCache({
        stores: { bad: faultyStore(mode) },
        // A hanging store is cut off after 20 ms; a real one by the default 1 s.
        timeout: '20ms',
        onError: (error) => errors.push(error),
      });
      return { cache, errors };
    };

    it('makes a read a miss and reports a CacheStoreError naming store and operation', async () => {
      const { cache, errors } = setup();
      assert.equal(await cache.get('k'), undefined);
      assert.equal(errors.length, 1);
      const error = errors[0]!;
      assert.ok(error instanceof CacheStoreError);
      assert.equal(error.store, 'bad');
      assert.equal(error.operation, 'get');
      assert.equal(error.key, 'k');
      assert.equal(error.timedOut, mode === 'hang');
      assert.match(error.message, /^Larder cache: store "bad" get\("k"\) (failed|timed out)/);
      assert.ok(error.cause instanceof Error);
    });

    it('lets wrap compute, return the value and drop the write', async () => {
      const { cache, errors } = setup();
      let calls = 0;
      assert.equal(await cache.wrap('k', () => ++calls, 60), 1);
      assert.equal(calls, 1);
      assert.deepEqual(
        errors.map((e) => (e as CacheStoreError).operation),
        ['get', 'set'],
      );
      const stats = cache.stats();
      assert.equal(stats.errors, 2);
      assert.equal(stats.timeouts, mode === 'hang' ? 2 : 0);
      assert.equal(stats.misses, 1);
    });

    it('resolves every method with its fallback instead of failing', async () => {
      const { cache } = setup();
      await cache.set('k', 1);
      await cache.set('k', 1, { tags: ['t'] });
      assert.equal(await cache.add('k', 1), false);
      assert.equal(await cache.has('k'), false);
      assert.equal(await cache.delete('k'), false);
      assert.equal(await cache.deleteMany(['a', 'b']), 0);
      assert.deepEqual(await cache.getMany(['a', 'b']), [undefined, undefined]);
      await cache.setMany({ a: 1 });
      assert.equal(await cache.increment('n'), undefined);
      assert.equal(await cache.touch('k', 5), false);
      await cache.clear();
      await cache.invalidateTags(['t']);
      const memo = cache.memoize((n: number) => n * 2, { name: 'double' });
      assert.equal(await memo(2), 4);
      await memo.invalidate(2);
      await memo.invalidateAll();
    });
  });
}

/** A cache over a store whose `get` is `get`, recording what reaches onError. */
function slowCache(timeout: string, get: () => Promise<unknown>) {
  const errors: Error[] = [];
  const slow = { get, set: () => {}, delete: () => false };
  const cache = createCache({ timeout, onError: (e) => errors.push(e), stores: { slow } });
  return { cache, errors };
}

describe('store failure reporting', () => {
  it('survives an onError that throws', async () => {
    const cache = createCache({
      stores: { bad: faultyStore('throw') },
      onError: () => {
        throw new Error('logger broke');
      },
    });
    assert.equal(await cache.wrap('k', () => 'v'), 'v');
  });

  it('counts failures without an onError', async () => {
    const cache = createCache({ stores: { bad: faultyStore('reject') } });
    await cache.get('k');
    assert.equal(cache.stats().errors, 1);
  });

  it('cuts off a hanging store after the default timeout of 1 second', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const errors: Error[] = [];
    const cache = createCache({
      stores: { bad: faultyStore('hang') },
      onError: (e) => errors.push(e),
    });
    const pending = cache.get('k');
    await Promise.resolve();
    t.mock.timers.tick(999);
    await Promise.resolve();
    assert.equal(errors.length, 0);
    t.mock.timers.tick(1);
    assert.equal(await pending, undefined);
    assert.match(errors[0]!.message, /timed out: no answer within 1000 ms/);
  });

  it('waits for a slow store when the timeout is beyond the 2^31 ms setTimeout limit', async () => {
    // setTimeout fires at once for a delay past 2^31 - 1 ms (24.8 days); a '30 days' timeout
    // must not turn into a 1 ms one.
    const { cache, errors } = slowCache(
      '30 days',
      () => new Promise((r) => setTimeout(r, 20, 'value')),
    );
    assert.equal(await cache.get('k'), 'value');
    assert.deepEqual(errors, []);
  });

  it('reports a late answer from a timed-out operation only once', async () => {
    let release!: (value: unknown) => void;
    const { cache, errors } = slowCache('10ms', () => new Promise((r) => (release = r)));
    assert.equal(await cache.get('k'), undefined);
    release('late');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(errors.length, 1);
  });

  it('treats a store clear it cannot do as a reported failure', async () => {
    const errors: Error[] = [];
    const cache = createCache({
      stores: { bare: { get: () => undefined, set: () => {}, delete: () => false } },
      onError: (e) => errors.push(e),
    });
    await cache.clear();
    assert.match(errors[0]!.message, /store "bare" clear failed: the store has no clear\(\)/);
  });
});
