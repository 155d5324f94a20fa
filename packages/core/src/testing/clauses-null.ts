import assert from 'node:assert/strict';
import { clause, type StoreContractClause } from './clause.ts';

/** For stores declaring `capabilities.retains === false`: they accept writes and hold nothing. */
export const nullClauses: readonly StoreContractClause[] = [
  clause({
    name: 'holds nothing: every write is accepted and every read is a miss',
    retains: false,
    async run(store) {
      for (const value of ['v', null, 0, Buffer.from('bytes'), { a: 1 }]) {
        await store.set('contract:nothing', value);
        assert.equal(await store.get('contract:nothing'), undefined, `after set(${String(value)})`);
      }
      if (store.has) assert.equal(await store.has('contract:nothing'), false, 'has()');
      if (store.setMany) await store.setMany([['contract:many', 1]]);
      if (store.getMany) {
        assert.deepEqual(await store.getMany(['contract:nothing', 'contract:many']), [
          undefined,
          undefined,
        ]);
      }
      if (store.add) {
        await store.add('contract:added', 'v');
        assert.equal(await store.get('contract:added'), undefined, 'after add()');
      }
      if (store.increment) {
        await store.increment('contract:counter', 5);
        assert.equal(await store.get('contract:counter'), undefined, 'after increment()');
      }
      if (store.touch) assert.equal(await store.touch('contract:nothing', 10), false, 'touch()');
      assert.equal(await store.delete('contract:nothing'), false, 'delete()');
      if (store.deleteMany) assert.equal(await store.deleteMany(['contract:nothing']), 0);
      if (store.clear) await store.clear();
    },
  }),
];
