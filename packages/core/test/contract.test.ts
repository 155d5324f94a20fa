import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '../src/memory-store.ts';
import {
  runClause,
  type StoreContractClause,
  type StoreFactory,
  storeContract,
} from '../src/testing/index.ts';
import { broken, brokenStores } from './fixtures/broken-stores.ts';
import { brokenTtlStores } from './fixtures/broken-ttl-stores.ts';

const byName = new Map<string, StoreContractClause>(storeContract.map((c) => [c.name, c]));

describe('the store contract', () => {
  test('has uniquely named clauses', () => {
    assert.equal(byName.size, storeContract.length);
  });

  for (const { label, factory, breaks } of [...brokenStores, ...brokenTtlStores]) {
    describe(`when ${label}`, () => {
      for (const name of breaks) {
        test(`fails "${name}"`, async () => {
          const clause = byName.get(name);
          assert.ok(clause, `no clause named "${name}"`);
          await assert.rejects(runClause(clause, factory), assert.AssertionError);
        });
      }
    });
  }

  test('skips a clause whose optional method the store lacks, naming the method', async () => {
    const minimal: StoreFactory = ({ now }) => {
      const { get, set, delete: remove } = createMemoryStore({ now });
      return { get, set, delete: remove };
    };
    const clause = byName.get(
      'add stores only when the key is absent and resolves whether it stored',
    );
    assert.ok(clause);
    assert.equal(await runClause(clause, minimal), 'store has no add() (optional capability)');
  });

  test('runs every required clause on a store with only get, set and delete', async () => {
    const minimal: StoreFactory = ({ now }) => {
      const { get, set, delete: remove } = createMemoryStore({ now });
      return { get, set, delete: remove };
    };
    let ran = 0;
    for (const clause of storeContract) {
      if ((await runClause(clause, minimal)) === undefined) ran += 1;
    }
    assert.ok(ran >= 12, `clauses run: ${ran}`);
  });

  test('skips a clause named in options.skip with the reason given', async () => {
    const clause = storeContract[0]!;
    const reason = await runClause(clause, ({ now }) => createMemoryStore({ now }), {
      skip: { [clause.name]: 'not supported by this backend' },
    });
    assert.equal(reason, 'not supported by this backend');
  });

  test('runs cleanups registered by the factory after a failing clause', async () => {
    let cleaned = false;
    const clause = byName.get('a stored null is a hit (null), distinct from a miss (undefined)')!;
    const factory: StoreFactory = (ctx) => {
      ctx.onCleanup(() => {
        cleaned = true;
      });
      return broken((base) => ({ get: (key) => base.get(key) ?? undefined }))(ctx);
    };
    await assert.rejects(runClause(clause, factory));
    assert.equal(cleaned, true);
  });
});
