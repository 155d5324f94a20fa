import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deferred, settle, wrapSetup as setup } from './cache-helpers.ts';

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
    clock.advance(9);
    assert.equal(await cache.wrap('k', () => ++calls, '10s'), 1);
    clock.advance(2);
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
