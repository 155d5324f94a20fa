import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '../src/memory-store.ts';
import type { Store } from '../src/store.ts';
import {
  runClause,
  type StoreContractClause,
  type StoreFactory,
  storeContract,
} from '../src/testing/index.ts';

// Each broken store is the memory store with one method subtly wrong, as a careless third-party
// store might be. The contract must reject it on the clause named, and accept the sound store.

const later = () => new Promise((resolve) => setImmediate(resolve));

function broken(
  patch: (base: ReturnType<typeof createMemoryStore>) => Partial<Store>,
): StoreFactory {
  return ({ now }) => {
    const base = createMemoryStore({ now });
    return { ...base, ...patch(base) } as Store;
  };
}

const brokenStores: Array<{ label: string; factory: StoreFactory; breaks: string[] }> = [
  {
    label: 'add reads then writes across an await (not atomic)',
    factory: broken((base) => ({
      async add(key, value, ttl) {
        const present = base.has(key);
        await later();
        if (present) return false;
        base.set(key, value, ttl);
        return true;
      },
    })),
    breaks: ['add is atomic: 50 concurrent adds of one key store exactly once'],
  },
  {
    label: 'increment reads then writes across an await (loses updates)',
    factory: broken((base) => ({
      async increment(key, delta = 1) {
        const current = (base.get(key) as number | undefined) ?? 0;
        await later();
        base.set(key, current + delta);
        return current + delta;
      },
    })),
    breaks: ['increment is atomic: 100 concurrent increments lose none'],
  },
  {
    label: 'values go through JSON.stringify (Buffers become {type, data})',
    factory: broken((base) => ({
      set: (key, value, ttl) => base.set(key, JSON.stringify(value), ttl),
      get(key) {
        const text = base.get(key) as string | undefined;
        return text === undefined ? undefined : JSON.parse(text);
      },
    })),
    breaks: [
      'a 1 MiB random Buffer round-trips byte for byte as a Buffer',
      'an empty Buffer round-trips as an empty Buffer, a hit',
      'a Uint8Array round-trips byte for byte as a Uint8Array',
    ],
  },
  {
    label: 'Buffers are stored as base64 strings',
    factory: broken((base) => ({
      set: (key, value, ttl) =>
        base.set(key, Buffer.isBuffer(value) ? value.toString('base64') : value, ttl),
    })),
    breaks: ['a 1 MiB random Buffer round-trips byte for byte as a Buffer'],
  },
  {
    label: 'strings are stored as latin1 bytes (astral characters mangled)',
    factory: broken((base) => ({
      set: (key, value, ttl) =>
        base.set(key, typeof value === 'string' ? Buffer.from(value, 'latin1') : value, ttl),
      get(key) {
        const value = base.get(key);
        return Buffer.isBuffer(value) ? value.toString('latin1') : value;
      },
    })),
    breaks: ['a string with astral characters and NUL round-trips exactly'],
  },
  {
    label: 'clear ignores its prefix and wipes everything',
    factory: broken((base) => ({ clear: () => base.clear() })),
    breaks: ['clear(prefix) removes only keys that start with the prefix, taken literally'],
  },
  {
    label: 'clear treats its prefix as a pattern (p* matches px*)',
    factory: broken((base) => ({
      clear(prefix) {
        const pattern = new RegExp(`^${prefix ?? ''}`);
        for (const key of [
          'user:1',
          'user:2',
          'user:10',
          'p*x',
          'p*',
          'p.x',
          'pax',
          'px*',
          'users:1',
        ]) {
          if (pattern.test(key)) base.delete(key);
        }
      },
    })),
    breaks: ['clear(prefix) removes only keys that start with the prefix, taken literally'],
  },
  {
    label: 'a stored null reads as a miss',
    factory: broken((base) => ({ get: (key) => base.get(key) ?? undefined })),
    breaks: ['a stored null is a hit (null), distinct from a miss (undefined)'],
  },
  {
    label: 'ttl is ignored',
    factory: broken((base) => ({ set: (key, value) => base.set(key, value) })),
    breaks: [
      'an entry is a hit before its ttl elapses and a miss after',
      'a ttl of 0 or less stores nothing and removes an existing entry',
    ],
  },
  {
    label: 'ttl is read as milliseconds',
    factory: broken((base) => ({
      set: (key, value, ttl) => base.set(key, value, ttl === undefined ? ttl : ttl / 1000),
    })),
    breaks: ['an entry is a hit before its ttl elapses and a miss after'],
  },
  {
    label: 'keys are truncated to 250 characters',
    factory: broken((base) => ({
      set: (key, value, ttl) => base.set(key.slice(0, 250), value, ttl),
      get: (key) => base.get(key.slice(0, 250)),
    })),
    breaks: [
      'keys with spaces, slashes, dots, backslashes, unicode and 10 KB length are distinct and round-trip',
    ],
  },
  {
    label: 'touch resolves true on a miss',
    factory: broken((base) => ({
      touch(key, ttl) {
        base.touch(key, ttl);
        return true;
      },
    })),
    breaks: ['touch gives an existing entry a new ttl and resolves false on a miss'],
  },
  {
    label: 'add overwrites an existing entry',
    factory: broken((base) => ({
      add(key, value, ttl) {
        base.set(key, value, ttl);
        return true;
      },
    })),
    breaks: ['add stores only when the key is absent and resolves whether it stored'],
  },
  {
    label: 'getMany drops misses instead of keeping their position',
    factory: broken((base) => ({
      getMany: (keys) => base.getMany(keys).filter((value) => value !== undefined),
    })),
    breaks: ['getMany resolves values in key order with undefined for each miss'],
  },
  {
    label: 'a store claiming to keep nothing keeps values',
    factory: broken(() => ({ capabilities: { retains: false } })),
    breaks: ['holds nothing: every write is accepted and every read is a miss'],
  },
];

const byName = new Map<string, StoreContractClause>(storeContract.map((c) => [c.name, c]));

describe('the store contract', () => {
  test('has uniquely named clauses', () => {
    assert.equal(byName.size, storeContract.length);
  });

  for (const { label, factory, breaks } of brokenStores) {
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
