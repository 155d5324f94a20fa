import assert from 'node:assert/strict';
import { clause, type StoreContractClause } from './clause.ts';

const ADDERS = 50;
const INCREMENTS = 100;

/** add, increment and decrement: semantics and atomicity under concurrent callers. */
export const atomicClauses: readonly StoreContractClause[] = [
  clause({
    name: 'add stores only when the key is absent and resolves whether it stored',
    needs: ['add'],
    async run(store) {
      assert.equal(await store.add!('contract:add', 'first'), true);
      assert.equal(await store.add!('contract:add', 'second'), false);
      assert.equal(await store.get('contract:add'), 'first');
    },
  }),
  clause({
    name: `add is atomic: ${ADDERS} concurrent adds of one key store exactly once`,
    needs: ['add'],
    async run(store) {
      const results = await Promise.all(
        Array.from({ length: ADDERS }, (_, i) => store.add!('contract:race', i)),
      );
      const winners = results.flatMap((stored, i) => (stored ? [i] : []));
      assert.equal(winners.length, 1, `adds that resolved true: ${winners.length}`);
      assert.equal(await store.get('contract:race'), winners[0]);
    },
  }),
  clause({
    name: 'increment counts a missing key as 0, adds delta and resolves the new value',
    needs: ['increment'],
    async run(store) {
      assert.equal(await store.increment!('contract:n'), 1);
      assert.equal(await store.increment!('contract:n', 5), 6);
      assert.equal(await store.get('contract:n'), 6);
    },
  }),
  clause({
    name: 'decrement subtracts delta and counts a missing key as 0',
    needs: ['decrement'],
    async run(store) {
      assert.equal(await store.decrement!('contract:d'), -1);
      assert.equal(await store.decrement!('contract:d', 4), -5);
      assert.equal(await store.get('contract:d'), -5);
    },
  }),
  clause({
    name: `increment is atomic: ${INCREMENTS} concurrent increments lose none`,
    needs: ['increment'],
    async run(store) {
      const results = await Promise.all(
        Array.from({ length: INCREMENTS }, () => store.increment!('contract:hits')),
      );
      assert.equal(await store.get('contract:hits'), INCREMENTS);
      const sorted = [...results].sort((a, b) => a - b);
      assert.deepEqual(
        sorted,
        Array.from({ length: INCREMENTS }, (_, i) => i + 1),
        'each increment resolves a distinct new value',
      );
    },
  }),
];
