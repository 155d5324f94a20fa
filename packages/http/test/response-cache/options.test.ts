import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponseCache, type ResponseCacheOptions } from '@larder/http';

const bad: Array<[string, unknown, typeof TypeError | typeof RangeError, RegExp]> = [
  ['ttl', -1, RangeError, /-1/],
  ['ttl', 0, RangeError, /got 0$/],
  ['ttl', '5 fortnights', RangeError, /5 fortnights/],
  ['staleWhileRevalidate', 'soon', RangeError, /soon/],
  ['staleIfError', Number.NaN, RangeError, /NaN/],
  ['coalesceTimeout', -5, RangeError, /-5/],
  ['storeTimeout', 0, RangeError, /got 0$/],
  ['maxBodySize', 1.5, RangeError, /1\.5/],
  ['maxBodySize', -1, RangeError, /-1/],
  ['query', 'yes', TypeError, /yes/],
  ['query', ['page', 3], TypeError, /3/],
  ['languages', ['en', ''], TypeError, /""/],
  ['headers', ['x-ok', 'bad header'], TypeError, /bad header/],
  ['tags', 'posts', TypeError, /posts/],
  ['statusHeader', 'X Cache', TypeError, /X Cache/],
  ['statusHeader', true, TypeError, /true/],
  ['key', 'path', TypeError, /path/],
  ['onError', 42, TypeError, /42/],
  ['now', 'yesterday', TypeError, /yesterday/],
  ['host', 'yes', TypeError, /yes/],
  ['hosts', 'example.com', TypeError, /example\.com/],
  ['hosts', [], TypeError, /\[\]/],
  ['hosts', ['example.com/admin'], TypeError, /example\.com\/admin/],
  ['maxVariants', 0, RangeError, /got 0$/],
  ['maxVariants', 2.5, RangeError, /2\.5/],
  ['cookies', 'all', TypeError, /all/],
  ['allowAuthorization', 1, TypeError, /got 1$/],
  ['allowPrivate', 'no', TypeError, /"no"/],
  ['language', 'en', TypeError, /"en"/],
  ['prefix', 'a\u0000b', TypeError, /"a\\u0000b"/],
  ['store', { get() {} }, TypeError, /got \{ get: \[Function: get\] \}$/],
  ['store', 'redis://localhost', TypeError, /redis:\/\/localhost/],
];

describe('createResponseCache options', () => {
  for (const [option, value, type, shown] of bad) {
    test(`throws ${type.name} naming responseCache, "${option}" and the value for ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, () => {
      assert.throws(
        () => createResponseCache({ [option]: value } as ResponseCacheOptions),
        (error: Error) => {
          assert.ok(error instanceof type, `${error.constructor.name}: ${error.message}`);
          assert.match(error.message, /responseCache/);
          assert.match(error.message, new RegExp(`"${option}"`));
          assert.match(error.message, shown);
          return true;
        },
      );
    });
  }

  test('accepts every documented option form', () => {
    assert.doesNotThrow(() =>
      createResponseCache({
        ttl: '5m',
        query: ['page'],
        language: true,
        languages: ['en', 'fr'],
        host: true,
        hosts: ['example.com', 'localhost:3000', '[::1]:8080'],
        cookies: { ignore: ['_ga', '_ga_*'], key: ['theme'] },
        maxVariants: 10,
        headers: ['X-Tenant'],
        key: (r) => r.path,
        tags: (r) => [r.path],
        maxBodySize: 0,
        staleWhileRevalidate: 30,
        staleIfError: 'never',
        coalesceTimeout: '500ms',
        storeTimeout: Number.POSITIVE_INFINITY,
        statusHeader: false,
        allowAuthorization: true,
        allowPrivate: true,
        prefix: '',
        onError: () => {},
        now: Date.now,
      }),
    );
  });
});
