import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GuardedStore } from '../src/guarded-store.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { createStats } from '../src/stats.ts';
import type { Store } from '../src/store.ts';
import { CacheStoreError } from '../src/store-error.ts';
import { faultyStore } from './cache-helpers.ts';

describe('GuardedStore', () => {
  const guard = (store: Store = createMemoryStore()) => {
    const errors: Error[] = [];
    const stats = createStats();
    return { g: new GuardedStore('s', store, 50, stats, (e) => errors.push(e)), errors, stats };
  };

  it('keeps a synchronous store synchronous: no promise on get or set', () => {
    const { g } = guard();
    assert.equal(g.set('k', 'v', undefined), undefined);
    assert.equal(g.get('k'), 'v');
    assert.deepEqual(g.getMany(['k', 'x']), ['v', undefined]);
  });

  it('turns a synchronous throw into the fallback and one report', () => {
    const { g, errors, stats } = guard(faultyStore('throw'));
    assert.equal(g.get('k'), undefined);
    assert.equal(g.delete('k'), false);
    assert.equal(errors.length, 2);
    assert.ok(errors.every((e) => e instanceof CacheStoreError));
    assert.equal(stats.errors, 2);
  });

  it('reads a malformed getMany answer as misses and reports it', async () => {
    const store = { ...createMemoryStore(), getMany: () => ['only one'] };
    const { g, errors } = guard(store);
    assert.deepEqual(await g.getMany(['a', 'b']), [undefined, undefined]);
    assert.match(errors[0]!.message, /getMany failed: malformed getMany answer/);
  });

  it('says when the store lacks an optional method instead of failing', () => {
    const { g } = guard({ get: () => undefined, set: () => {}, delete: () => false });
    assert.equal(g.add('k', 1, undefined), undefined);
    assert.equal(g.increment('k', 1, undefined), undefined);
    assert.equal(g.touch('k', 1), undefined);
  });
});
