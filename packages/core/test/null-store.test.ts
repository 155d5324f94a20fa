import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNullStore } from '../src/null-store.ts';
import { runStoreContract } from '../src/testing/index.ts';

runStoreContract('null', () => createNullStore());

describe('createNullStore', () => {
  test('declares that it retains nothing', () => {
    assert.equal(createNullStore().capabilities.retains, false);
  });

  test('accepts add (the key is always absent) and increments from 0 without keeping the count', () => {
    const store = createNullStore();
    assert.equal(store.add('k', 'v'), true);
    assert.equal(store.add('k', 'v'), true);
    assert.equal(store.increment('n', 3), 3);
    assert.equal(store.increment('n', 3), 3);
    assert.equal(store.decrement('n'), -1);
  });
});
