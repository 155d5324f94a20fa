import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkOptions, describeValue, optionNames } from '../src/check-option.ts';
import { createCache, createFileStore, createMemoryStore, createNullStore } from '../src/index.ts';

describe('describeValue', () => {
  const cases: Array<[unknown, string]> = [
    ['5m', '"5m"'],
    [5, '5'],
    [Number.NaN, 'NaN'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ ttl: 'x' }, "{ ttl: 'x' }"],
    [[1, 2], '[ 1, 2 ]'],
    [new Map([['a', 1]]), "Map(1) { 'a' => 1 }"],
    [() => 1, '[Function (anonymous)]'],
    ['x'.repeat(100), `"${'x'.repeat(60)}…"`],
  ];
  for (const [value, printed] of cases) {
    test(`prints ${printed}`, () => {
      assert.equal(describeValue(value), printed);
      assert.doesNotMatch(describeValue(value), /\[object Object\]/);
    });
  }
});

describe('checkOptions', () => {
  const known = optionNames<{ ttl?: number; maxEntries?: number; staleIfError?: number }>({
    ttl: true,
    maxEntries: true,
    staleIfError: true,
  });

  test('returns {} for undefined and the object itself otherwise', () => {
    assert.deepEqual(checkOptions(undefined, known, 'f'), {});
    const options = { ttl: 1 };
    assert.equal(checkOptions(options, known, 'f'), options);
  });

  const unknown: Array<[string, string | undefined]> = [
    ['tll', 'ttl'],
    ['TTL', 'ttl'],
    ['maxEntrys', 'maxEntries'],
    ['staleIfErorr', 'staleIfError'],
    ['colour', undefined],
  ];
  for (const [name, near] of unknown) {
    test(`names the function and "${name}"${near ? `, suggesting "${near}"` : ', with no suggestion'}`, () => {
      assert.throws(
        () => checkOptions({ [name]: 1 }, known, 'f'),
        (error: Error) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, new RegExp(`^f: unknown option "${name}"`));
          if (near) assert.match(error.message, new RegExp(`did you mean "${near}"\\?`));
          else assert.doesNotMatch(error.message, /did you mean/);
          assert.match(error.message, /known options: ttl, maxEntries, staleIfError$/);
          return true;
        },
      );
    });
  }

  for (const value of [null, 5, 'ttl', [1]]) {
    test(`throws a TypeError printing ${describeValue(value)} when options are not an object`, () => {
      assert.throws(() => checkOptions(value as never, known, 'f'), {
        name: 'TypeError',
        message: `f: options must be an object, got ${describeValue(value)}`,
      });
    });
  }

  test('says to call the factory when given an Express request or a Koa context', () => {
    const req = { method: 'GET', url: '/', headers: {}, socket: {} };
    const ctx = { req, res: {}, app: {}, method: 'GET' };
    for (const arg of [req, ctx]) {
      assert.throws(() => checkOptions(arg as never, known, 'responseCache'), {
        name: 'TypeError',
        message: /responseCache: received a request.*app\.use\(responseCache\(\)\)/,
      });
    }
  });
});

describe('unknown options in every core factory', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'createMemoryStore',
      () => createMemoryStore({ maxEntrys: 5 } as never),
      /^createMemoryStore: unknown option "maxEntrys" \(did you mean "maxEntries"\?\)/,
    ],
    [
      'createFileStore',
      () => createFileStore({ dir: 'x', tll: 5 } as never),
      /^createFileStore: unknown option "tll" \(did you mean "ttl"\?\)/,
    ],
    [
      'createNullStore',
      () => createNullStore({ ttl: 5 } as never),
      /^createNullStore: unknown option "ttl"; it takes none$/,
    ],
    ['createCache', () => createCache({ tll: 5 } as never), /^createCache: unknown option "tll"/],
    [
      'createCache regions',
      () => createCache({ regions: { r: { tll: 5 } } } as never),
      /"regions\.r\.tll" \(did you mean "regions\.r\.ttl"\?\)/,
    ],
    [
      'cache.memoize',
      () => createCache().memoize(function f() {}, { tll: 5 } as never),
      /^cache\.memoize: unknown option "tll"/,
    ],
  ];
  for (const [label, call, message] of cases) {
    test(`${label} throws a TypeError naming the misspelt option`, () => {
      assert.throws(
        call,
        (error: Error) => error instanceof TypeError && message.test(error.message),
      );
    });
  }

  test('cache.wrap and cache.set reject a misspelt option before calling the function', async () => {
    const cache = createCache();
    let calls = 0;
    await assert.rejects(async () => cache.wrap('k', () => ++calls, { tll: 5 } as never), {
      name: 'TypeError',
      message: /^cache\.wrap: unknown option "tll" \(did you mean "ttl"\?\)/,
    });
    assert.equal(calls, 0);
    // staleWhileRevalidate means something to wrap only.
    await assert.rejects(async () => cache.set('k', 1, { staleWhileRevalidate: 5 } as never), {
      name: 'TypeError',
      message: /^cache\.set: unknown option "staleWhileRevalidate"; known options: ttl, tags$/,
    });
    assert.equal(await cache.get('k'), undefined);
  });

  test('a file store with a misspelt option writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'larder-check-'));
    try {
      assert.throws(
        () => createFileStore({ dir, maxEntrie: 5 } as never),
        /did you mean "maxEntries"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
