import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseCache as expressCache } from '@larder/express';
import type { ResponseCacheOptions } from '@larder/http';
import { responseCache as koaCache } from '@larder/koa';

const bad: ReadonlyArray<[ResponseCacheOptions, string, RegExp]> = [
  [{ ttl: '5 fortnights' }, 'RangeError', /responseCache: option "ttl".*5 fortnights/],
  [{ query: 'page' as unknown as string[] }, 'TypeError', /responseCache: option "query".*"page"/],
  [{ store: {} as never }, 'TypeError', /responseCache: option "store"/],
  [{ staleIfError: -1 }, 'RangeError', /responseCache.*"staleIfError".*-1/],
];

for (const [name, responseCache] of [
  ['express', expressCache],
  ['koa', koaCache],
] as const) {
  describe(`responseCache options [${name}]`, () => {
    for (const [options, type, message] of bad) {
      it(`throws a ${type} at setup naming responseCache, the option and the value for ${JSON.stringify(options)}`, () => {
        assert.throws(() => responseCache(options), { name: type, message });
      });
    }
  });
}
