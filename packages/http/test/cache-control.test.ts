import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CacheControl,
  type CacheControlInput,
  formatCacheControl,
  MAX_DELTA_SECONDS,
  mergeCacheControl,
  parseCacheControl,
} from '../src/cache-control.ts';

describe('parseCacheControl', () => {
  describe('when given every RFC 9111 §5.2 directive', () => {
    const cases: Array<[string, CacheControl]> = [
      ['max-age=60', { maxAge: 60 }],
      ['s-maxage=30', { sMaxAge: 30 }],
      ['no-cache', { noCache: true }],
      ['no-cache="Set-Cookie, X-Foo"', { noCache: ['set-cookie', 'x-foo'] }],
      ['no-store', { noStore: true }],
      ['no-transform', { noTransform: true }],
      ['must-revalidate', { mustRevalidate: true }],
      ['proxy-revalidate', { proxyRevalidate: true }],
      ['must-understand', { mustUnderstand: true }],
      ['private', { private: true }],
      ['private="Authorization"', { private: ['authorization'] }],
      ['public', { public: true }],
      ['immutable', { immutable: true }],
      ['stale-while-revalidate=10', { staleWhileRevalidate: 10 }],
      ['stale-if-error=86400', { staleIfError: 86400 }],
      ['max-stale', { maxStale: true }],
      ['max-stale=5', { maxStale: 5 }],
      ['min-fresh=3', { minFresh: 3 }],
      ['only-if-cached', { onlyIfCached: true }],
    ];
    for (const [header, expected] of cases) {
      it(`reads ${JSON.stringify(header)}`, () => {
        assert.deepEqual(parseCacheControl(header), expected);
      });
    }
  });

  describe('when names, spacing and quoting vary', () => {
    const cases: Array<[string, CacheControl]> = [
      ['MAX-AGE=60, Public', { maxAge: 60, public: true }],
      ['  max-age=60 ,, ,public  ', { maxAge: 60, public: true }],
      ['max-age = 60', { maxAge: 60 }],
      ['max-age="60"', { maxAge: 60 }],
      ['no-cache=set-cookie', { noCache: ['set-cookie'] }],
      ['no-cache=" a ,, b "', { noCache: ['a', 'b'] }],
      ['x-ext="a, b", public', { public: true, extensions: { 'x-ext': 'a, b' } }],
      ['x-ext="say \\"hi\\""', { extensions: { 'x-ext': 'say "hi"' } }],
      ['Community="UCI"', { extensions: { community: 'UCI' } }],
      ['x-flag', { extensions: { 'x-flag': true } }],
      ['\tmax-age=1\t', { maxAge: 1 }],
    ];
    for (const [header, expected] of cases) {
      it(`reads ${JSON.stringify(header)}`, () => {
        assert.deepEqual(parseCacheControl(header), expected);
      });
    }
  });

  describe('when values are invalid (RFC 9111 §4.2.1: treat as stale)', () => {
    const cases: Array<[string, CacheControl]> = [
      ['max-age=abc', { maxAge: 0 }],
      ['max-age', { maxAge: 0 }],
      ['max-age=', { maxAge: 0 }],
      ['max-age=-1', { maxAge: 0 }],
      ['max-age=1.5', { maxAge: 0 }],
      ['max-age=1e3', { maxAge: 0 }],
      ['max-age="5', { maxAge: 0 }],
      ['s-maxage=0x10', { sMaxAge: 0 }],
      ['stale-while-revalidate', { staleWhileRevalidate: 0 }],
      ['max-stale=soon', { maxStale: 0 }],
      ['no-cache=""', { noCache: true }],
      ['private="@@"', { private: true }],
      ['bad name=1, public', { public: true }],
      ['x-ext="unterminated', {}],
    ];
    for (const [header, expected] of cases) {
      it(`reads ${JSON.stringify(header)} as ${JSON.stringify(expected)}`, () => {
        assert.deepEqual(parseCacheControl(header), expected);
      });
    }
  });

  describe('when delta-seconds overflow (RFC 9111 §1.2.2)', () => {
    const cases: Array<[string, number]> = [
      ['max-age=2147483647', 2147483647],
      ['max-age=2147483648', MAX_DELTA_SECONDS],
      ['max-age=2147483649', MAX_DELTA_SECONDS],
      ['max-age=99999999999999999999999999', MAX_DELTA_SECONDS],
      [`max-age=${'9'.repeat(5000)}`, MAX_DELTA_SECONDS],
      ['max-age=0000000000000000000060', 60],
    ];
    for (const [header, seconds] of cases) {
      it(`clamps ${header.slice(0, 40)} to ${seconds}`, () => {
        assert.equal(parseCacheControl(header).maxAge, seconds);
      });
    }
  });

  describe('when directives repeat or conflict', () => {
    it('keeps the first occurrence of a numeric directive', () => {
      assert.deepEqual(parseCacheControl('max-age=10, max-age=20'), { maxAge: 10 });
    });
    it('keeps the first occurrence even when it is invalid (stale wins)', () => {
      assert.deepEqual(parseCacheControl('max-age=abc, max-age=20'), { maxAge: 0 });
    });
    it('merges repeated qualified lists', () => {
      assert.deepEqual(parseCacheControl('no-cache="a", no-cache="b, a"'), {
        noCache: ['a', 'b'],
      });
    });
    it('lets an unqualified no-cache absorb qualified ones in any order', () => {
      assert.deepEqual(parseCacheControl('no-cache="a", no-cache'), { noCache: true });
      assert.deepEqual(parseCacheControl('no-cache, no-cache="a"'), { noCache: true });
    });
    it('keeps both public and private for the caller to apply the most restrictive', () => {
      assert.deepEqual(parseCacheControl('public, private'), { public: true, private: true });
    });
    it('keeps the first value of a repeated extension', () => {
      assert.deepEqual(parseCacheControl('x=1, X=2'), { extensions: { x: '1' } });
    });
    it('combines several header lines', () => {
      assert.deepEqual(parseCacheControl(['max-age=5', 'no-transform']), {
        maxAge: 5,
        noTransform: true,
      });
    });
  });

  describe('when the input is hostile or absent', () => {
    it('returns {} for undefined, empty and comma-only values', () => {
      for (const value of [undefined, '', ' ', ',,,', '=', '="x"']) {
        assert.deepEqual(parseCacheControl(value), {});
      }
    });
    it('keeps __proto__ as a plain own extension, not a prototype', () => {
      const parsed = parseCacheControl('__proto__=1');
      assert.equal(Object.getPrototypeOf(parsed.extensions), Object.prototype);
      assert.deepEqual(Object.entries(parsed.extensions ?? {}), [['__proto__', '1']]);
    });
    it('reads a 10 KB header without throwing', () => {
      const huge = `${'x-a="b,c", '.repeat(1000)}max-age=5, ${'"'.repeat(2000)}`;
      assert.ok(huge.length > 10_000);
      assert.equal(parseCacheControl(huge).maxAge, 5);
    });
  });
});

describe('formatCacheControl', () => {
  const cases: Array<[CacheControlInput, string]> = [
    [{}, ''],
    [{ maxAge: 60, public: true }, 'public, max-age=60'],
    [{ maxAge: '5m' }, 'max-age=300'],
    [{ maxAge: '1h', sMaxAge: '2 days' }, 'max-age=3600, s-maxage=172800'],
    [{ maxAge: 1.9 }, 'max-age=1'],
    [{ maxAge: '500ms' }, 'max-age=0'],
    [{ maxAge: 'never' }, `max-age=${MAX_DELTA_SECONDS}`],
    [{ maxAge: 1e12 }, `max-age=${MAX_DELTA_SECONDS}`],
    [{ noCache: ['Set-Cookie', 'set-cookie', 'X-A'] }, 'no-cache="set-cookie, x-a"'],
    [{ noCache: [] }, 'no-cache'],
    [{ private: true, noStore: false }, 'private'],
    [
      { staleWhileRevalidate: '30s', staleIfError: '1d' },
      'stale-while-revalidate=30, stale-if-error=86400',
    ],
    [{ immutable: true, maxAge: '1y' }, 'max-age=31557600, immutable'],
    [{ maxStale: true, minFresh: 5, onlyIfCached: true }, 'max-stale, min-fresh=5, only-if-cached'],
    [
      { extensions: { 'X-Ext': 'a b', token: 'tok', flag: true, off: false } },
      'x-ext="a b", token=tok, flag',
    ],
    [{ extensions: { q: 'say "hi"' } }, 'q="say \\"hi\\""'],
  ];
  for (const [input, expected] of cases) {
    it(`writes ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(formatCacheControl(input), expected);
    });
  }

  describe('when the directives are misused', () => {
    const bad: Array<[unknown, RegExpConstructor | ErrorConstructor, RegExp]> = [
      [{ maxAge: -1 }, RangeError, /cacheControl: option "maxAge".*-1/],
      [{ maxAge: 'soon' }, RangeError, /"maxAge".*"soon"/],
      [{ sMaxAge: Number.NaN }, RangeError, /"sMaxAge"/],
      [{ maxage: 5 }, TypeError, /unknown directive "maxage"/],
      [{ noCache: ['bad name'] }, TypeError, /invalid field name/],
      [{ public: 'yes' }, TypeError, /"public" must be a boolean/],
      // A valueless stale-while-revalidate is invalid (RFC 5861 §3): refuse to write one.
      [{ staleWhileRevalidate: true }, TypeError, /"staleWhileRevalidate" must be a duration/],
      [{ maxAge: true }, TypeError, /"maxAge" must be a duration/],
      [{ extensions: { 'max-age': '5' } }, TypeError, /registered directive/],
      [{ extensions: { x: 'line\nbreak' } }, TypeError, /cannot be sent/],
      [null, TypeError, /must be an object/],
    ];
    for (const [input, type, message] of bad) {
      it(`throws ${type.name} for ${JSON.stringify(input)}`, () => {
        assert.throws(
          () => formatCacheControl(input as CacheControlInput, 'cacheControl'),
          (e) => {
            assert.ok(e instanceof type);
            assert.match((e as Error).message, message);
            return true;
          },
        );
      });
    }
  });

  it('round-trips every parsed directive', () => {
    const header =
      'public, no-cache="a, b", no-store, no-transform, must-revalidate, proxy-revalidate, must-understand, max-age=1, s-maxage=2, immutable, stale-while-revalidate=3, stale-if-error=4, x-y=z';
    assert.equal(formatCacheControl(parseCacheControl(header)), header);
  });
});

describe('mergeCacheControl', () => {
  const cases: Array<[string | undefined, CacheControlInput, string]> = [
    [undefined, { maxAge: 30, public: true }, 'public, max-age=30'],
    ['no-transform', { maxAge: 30 }, 'no-transform, max-age=30'],
    ['max-age=60', { maxAge: 30 }, 'max-age=30'],
    ['private, max-age=60', { public: true }, 'public, max-age=60'],
    ['public, max-age=60', { private: true }, 'private, max-age=60'],
    ['no-store, max-age=60', { noStore: false }, 'max-age=60'],
    ['max-age=60, x-a=1', { extensions: { 'X-A': false, b: true } }, 'max-age=60, b'],
    ['max-age=60', { maxAge: undefined, immutable: true }, 'max-age=60, immutable'],
    ['max-age=abc', {}, 'max-age=0'],
  ];
  for (const [existing, directives, expected] of cases) {
    it(`merges ${JSON.stringify(directives)} into ${JSON.stringify(existing)}`, () => {
      assert.equal(mergeCacheControl(existing, directives), expected);
    });
  }
});
