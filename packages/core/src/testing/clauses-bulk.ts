import assert from 'node:assert/strict';
import { clause, type StoreContractClause } from './clause.ts';

/** getMany / setMany / deleteMany and prefix-scoped clear. */
export const bulkClauses: readonly StoreContractClause[] = [
  clause({
    name: 'getMany resolves values in key order with undefined for each miss',
    needs: ['getMany'],
    async run(store) {
      await store.set('contract:g1', 'one');
      await store.set('contract:g3', 'three');
      assert.deepEqual(await store.getMany!(['contract:g3', 'contract:g2', 'contract:g1']), [
        'three',
        undefined,
        'one',
      ]);
      assert.deepEqual(await store.getMany!([]), []);
    },
  }),
  clause({
    name: 'setMany stores every entry',
    needs: ['setMany'],
    async run(store) {
      await store.setMany!([
        ['contract:s1', 1],
        ['contract:s2', { two: 2 }],
        ['contract:s3', null],
      ]);
      assert.equal(await store.get('contract:s1'), 1);
      assert.deepEqual(await store.get('contract:s2'), { two: 2 });
      assert.equal(await store.get('contract:s3'), null);
    },
  }),
  clause({
    name: 'deleteMany removes the given keys and resolves how many existed',
    needs: ['deleteMany'],
    async run(store) {
      await store.set('contract:x1', 1);
      await store.set('contract:x2', 2);
      await store.set('contract:x3', 3);
      assert.equal(await store.deleteMany!(['contract:x1', 'contract:x2', 'contract:nope']), 2);
      assert.equal(await store.get('contract:x1'), undefined);
      assert.equal(await store.get('contract:x2'), undefined);
      assert.equal(await store.get('contract:x3'), 3);
    },
  }),
  clause({
    name: 'clear(prefix) removes only keys that start with the prefix, taken literally',
    needs: ['clear'],
    async run(store) {
      // Glob and regex metacharacters in a prefix are literal: an unescaped 'p*' or 'a?[b]:'
      // handed to a pattern matcher (Redis SCAN MATCH, a RegExp) would reach the kept keys.
      const doomed = ['user:1', 'user:2', 'user:10', 'p*x', 'p*', 'a?[b]:1'];
      const kept = ['users:1', 'other:user:1', 'User:1', 'user', 'p.x', 'pax', 'px*', 'axb:1'];
      for (const key of [...doomed, ...kept]) await store.set(key, key);
      await store.clear!('user:');
      await store.clear!('p*');
      await store.clear!('a?[b]:');
      for (const key of doomed) assert.equal(await store.get(key), undefined, `${key} cleared`);
      for (const key of kept) assert.equal(await store.get(key), key, `${key} kept`);
    },
  }),
  clause({
    name: 'clear() without a prefix removes every entry',
    needs: ['clear'],
    retains: 'any',
    async run(store) {
      await store.set('contract:c1', 1);
      await store.set('other:c2', 2);
      await store.clear!();
      assert.equal(await store.get('contract:c1'), undefined);
      assert.equal(await store.get('other:c2'), undefined);
    },
  }),
];
