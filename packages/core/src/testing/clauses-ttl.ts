import assert from 'node:assert/strict';
import { clause, type StoreContractClause } from './clause.ts';

const DAY_SECONDS = 24 * 3600;

/** Expiry, measured on the injected clock (or by sleeping when the clock is real). */
export const ttlClauses: readonly StoreContractClause[] = [
  clause({
    name: 'an entry is a hit before its ttl elapses and a miss after',
    async run(store, { clock }) {
      await store.set('contract:ttl', 'v', 2);
      await clock.advance(1000);
      assert.equal(await store.get('contract:ttl'), 'v', 'one second into a two-second ttl');
      await clock.advance(1500);
      assert.equal(await store.get('contract:ttl'), undefined, 'half a second past the ttl');
      if (store.has) assert.equal(await store.has('contract:ttl'), false, 'has() after expiry');
    },
  }),
  clause({
    name: 'a ttl of Infinity never expires',
    farFuture: true,
    async run(store, { clock }) {
      await store.set('contract:forever', 'v', Number.POSITIVE_INFINITY);
      await clock.advance(10 * 365 * 24 * 3600 * 1000);
      assert.equal(await store.get('contract:forever'), 'v');
    },
  }),
  clause({
    name: 'a ttl beyond 24.8 days (2^31 ms, the setTimeout limit) keeps the entry until it elapses',
    farFuture: true,
    async run(store, { clock }) {
      // 60 days is past 2^31 ms and 2^32 ms too (a TTL kept in 32 bits would wrap around).
      await store.set('contract:long', 'v', 60 * DAY_SECONDS);
      // A store that arms a timer per key sees it fire at once past 2^31 - 1 ms: let it fire.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await clock.advance(59 * DAY_SECONDS * 1000);
      assert.equal(await store.get('contract:long'), 'v', '59 days into a 60-day ttl');
      await clock.advance(2 * DAY_SECONDS * 1000);
      assert.equal(await store.get('contract:long'), undefined, '61 days into a 60-day ttl');
    },
  }),
  clause({
    name: 'a ttl of 0 or less stores nothing and removes an existing entry',
    retains: 'any',
    async run(store) {
      await store.set('contract:zero', 'v', 0);
      assert.equal(await store.get('contract:zero'), undefined, 'ttl 0');
      await store.set('contract:neg', 'old');
      await store.set('contract:neg', 'new', -1);
      assert.equal(await store.get('contract:neg'), undefined, 'ttl -1 over an existing entry');
    },
  }),
  clause({
    name: 'setMany applies its ttl to every entry',
    needs: ['setMany', 'getMany'],
    async run(store, { clock }) {
      await store.setMany!(
        [
          ['contract:m1', 1],
          ['contract:m2', 2],
        ],
        2,
      );
      assert.deepEqual(await store.getMany!(['contract:m1', 'contract:m2']), [1, 2]);
      await clock.advance(2500);
      assert.deepEqual(await store.getMany!(['contract:m1', 'contract:m2']), [
        undefined,
        undefined,
      ]);
    },
  }),
  clause({
    name: 'touch gives an existing entry a new ttl and resolves false on a miss',
    needs: ['touch'],
    async run(store, { clock }) {
      await store.set('contract:touch', 'v', 2);
      await clock.advance(1000);
      assert.equal(await store.touch!('contract:touch', 4), true);
      await clock.advance(2000);
      assert.equal(await store.get('contract:touch'), 'v', 'past the old ttl, within the new one');
      await clock.advance(3000);
      assert.equal(await store.get('contract:touch'), undefined, 'past the new ttl');
      assert.equal(await store.touch!('contract:touch', 10), false, 'touch after expiry');
      assert.equal(await store.touch!('contract:never-set', 10), false, 'touch of a missing key');
    },
  }),
  clause({
    name: 'add stores again once the previous entry has expired',
    needs: ['add'],
    async run(store, { clock }) {
      assert.equal(await store.add!('contract:add-ttl', 'first', 1), true);
      await clock.advance(1500);
      assert.equal(await store.add!('contract:add-ttl', 'second', 10), true);
      assert.equal(await store.get('contract:add-ttl'), 'second');
    },
  }),
];
