import assert from 'node:assert/strict';
import { clause, type StoreContractClause } from './clause.ts';

const PLAIN_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['string', 'hello'],
  ['number', 42],
  ['zero', 0],
  ['negative float', -1.5],
  ['true', true],
  ['false', false],
  ['empty string', ''],
  ['object', { a: 1, nested: { b: [1, 'two', null] } }],
  ['array', [1, 2, 3]],
];

const ODD_KEYS: readonly string[] = [
  'with space',
  ' leading and trailing ',
  'a/b/c',
  '/absolute',
  '..',
  '.',
  '../../etc/passwd',
  'a\\b',
  'a%2Fb',
  'A',
  'a',
  'ключ-键-🔑',
  'tab\tnew\nline',
  // two 10 KB keys that differ only in their last character: a store that truncates or hashes a
  // prefix of long keys makes them collide
  `${'k'.repeat(10 * 1024)}1`,
  `${'k'.repeat(10 * 1024)}2`,
];

/** Required methods: get, set, delete, misses and stored null. */
export const basicClauses: readonly StoreContractClause[] = [
  clause({
    name: 'get resolves undefined for a key never set',
    retains: 'any',
    async run(store) {
      assert.equal(await store.get('contract:missing'), undefined);
    },
  }),
  clause({
    name: 'get returns what set stored, for every plain value kind',
    async run(store) {
      for (const [label, value] of PLAIN_VALUES) {
        await store.set(`contract:value:${label}`, value);
      }
      for (const [label, value] of PLAIN_VALUES) {
        assert.deepEqual(await store.get(`contract:value:${label}`), value, label);
      }
    },
  }),
  clause({
    name: 'set replaces the value of an existing key',
    async run(store) {
      await store.set('contract:k', 'first');
      await store.set('contract:k', 'second');
      assert.equal(await store.get('contract:k'), 'second');
    },
  }),
  clause({
    name: 'delete removes an entry and resolves true, then false once it is gone',
    async run(store) {
      await store.set('contract:del', 'v');
      await store.set('contract:keep', 'v');
      assert.equal(await store.delete('contract:del'), true);
      assert.equal(await store.get('contract:del'), undefined);
      assert.equal(await store.delete('contract:del'), false);
      assert.equal(await store.get('contract:keep'), 'v');
    },
  }),
  clause({
    name: 'a stored null is a hit (null), distinct from a miss (undefined)',
    async run(store) {
      await store.set('contract:null', null);
      assert.equal(await store.get('contract:null'), null);
      assert.equal(await store.get('contract:absent'), undefined);
      if (store.has) {
        assert.equal(await store.has('contract:null'), true, 'has() of a stored null');
        assert.equal(await store.has('contract:absent'), false, 'has() of a miss');
      }
      if (store.getMany) {
        assert.deepEqual(await store.getMany(['contract:null', 'contract:absent']), [
          null,
          undefined,
        ]);
      }
      if (store.add) {
        assert.equal(await store.add('contract:null', 'other'), false, 'add() over a stored null');
      }
    },
  }),
  clause({
    name: 'has resolves true for a stored key and false for a missing or deleted one',
    needs: ['has'],
    async run(store) {
      await store.set('contract:has', 'v');
      assert.equal(await store.has!('contract:has'), true);
      await store.delete('contract:has');
      assert.equal(await store.has!('contract:has'), false);
    },
  }),
  clause({
    name: 'keys with spaces, slashes, dots, backslashes, unicode and 10 KB length are distinct and round-trip',
    async run(store) {
      for (const [i, key] of ODD_KEYS.entries()) await store.set(key, `value ${i}`);
      for (const [i, key] of ODD_KEYS.entries()) {
        assert.equal(await store.get(key), `value ${i}`, `key ${JSON.stringify(key.slice(0, 40))}`);
      }
      assert.equal(await store.delete('..'), true);
      assert.equal(await store.get('.'), `value ${ODD_KEYS.indexOf('.')}`);
      assert.equal(await store.get('..'), undefined);
    },
  }),
];
