import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore, type Store } from '@larder/core';
import { counted, engineWith, get, run } from './helpers.ts';

/** A memory store whose writes land only when `release()` is called, as a slow remote store's would. */
function slowWrites() {
  const inner = createMemoryStore();
  let open!: () => void;
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const store: Store = {
    name: 'slow',
    get: (key) => inner.get(key),
    // Entry writes wait; the cache's own tag stamps go straight through.
    set: (key, value, ttl) =>
      key.includes('_larder:')
        ? inner.set(key, value, ttl)
        : gate.then(() => inner.set(key, value, ttl)),
    delete: (key) => inner.delete(key),
    clear: (prefix) => inner.clear?.(prefix),
    capabilities: { serializes: false },
  } as Store;
  return {
    store,
    inner,
    async release() {
      open();
      gate = Promise.resolve();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('an entry whose store write is still pending', () => {
  test('is served to late arrivals only while fresh', async () => {
    const slow = slowWrites();
    const { engine, time } = engineWith({ store: slow.store, ttl: 10 });
    const h = counted();
    await run(engine, get('/a'), h);
    const early = await run(engine, get('/a'), h);
    assert.equal(early.reply.headers['x-cache'], 'HIT');
    time.advance(11);
    const late = await run(engine, get('/a'), h);
    assert.equal(late.reply.headers['x-cache'], 'MISS', 'an expired pending entry is not served');
    assert.equal(h.calls, 2);
    await slow.release();
  });

  for (const [name, invalidate] of [
    ['invalidatePath', (e: ReturnType<typeof engineWith>['engine']) => e.invalidatePath('/a')],
    ['invalidatePrefix', (e: ReturnType<typeof engineWith>['engine']) => e.invalidatePrefix('/')],
    ['invalidate(key)', (e: ReturnType<typeof engineWith>['engine']) => e.invalidate('/a')],
    ['clear', (e: ReturnType<typeof engineWith>['engine']) => e.clear()],
    ['invalidateTags', (e: ReturnType<typeof engineWith>['engine']) => e.invalidateTags(['t'])],
  ] as const) {
    test(`is not served after ${name}`, async () => {
      const slow = slowWrites();
      const { engine } = engineWith({ store: slow.store, tags: ['t'] });
      const h = counted();
      await run(engine, get('/a'), h);
      await invalidate(engine);
      const during = await run(engine, get('/a'), h);
      assert.equal(during.reply.headers['x-cache'], 'MISS');
      await slow.release();
      const after = await run(engine, get('/a'), h);
      assert.notDeepEqual(after.reply.body, Buffer.from('body 1'));
    });

    test(`is not resurrected by a write that lands after the ${name}`, async () => {
      const slow = slowWrites();
      const { engine } = engineWith({ store: slow.store, tags: ['t'] });
      const h = counted();
      await run(engine, get('/a'), h);
      await invalidate(engine);
      await slow.release();
      const after = await run(engine, get('/a'), h);
      assert.equal(after.reply.headers['x-cache'], 'MISS');
      assert.deepEqual(after.reply.body, Buffer.from('body 2'));
    });
  }
});
