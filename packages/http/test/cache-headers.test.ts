import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CacheHeadersOptions,
  cacheHeadersPatch,
  type FinishedResponse,
  resolveCacheHeadersOptions,
} from '../src/cache-headers.ts';
import { formatHttpDate } from '../src/http-date.ts';

const NOW = Date.UTC(2026, 0, 1);
const now = () => NOW;

function patchFor(options: CacheHeadersOptions, response: Partial<FinishedResponse>) {
  const resolved = resolveCacheHeadersOptions({ now, ...options });
  return cacheHeadersPatch(resolved, { method: 'GET', status: 200, headers: {}, ...response });
}

describe('resolveCacheHeadersOptions', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ cacheControl: { maxAge: -1 } }, /^RangeError: cacheHeaders: option "maxAge"/],
    [{ cacheControl: { maxage: 1 } }, /^TypeError: cacheHeaders: unknown directive "maxage"/],
    [{ expires: 'soon' }, /^RangeError: cacheHeaders: option "duration".*"soon"/],
    [
      { noCache: 'yes' },
      /^TypeError: cacheHeaders: option "noCache" must be a boolean, got "yes"$/,
    ],
    [{ noStoreOnError: 1 }, /option "noStoreOnError" must be a boolean/],
    [{ noCache: true, expires: 5 }, /cannot be combined/],
    [{ methods: 'GET' }, /option "methods" must be a list/],
    [{ now: 5 }, /option "now" must be a function/],
    [{ maxAge: 5 }, /^TypeError: cacheHeaders: unknown option "maxAge"/],
    [null, /options must be an object/],
  ];
  for (const [options, message] of bad) {
    it(`throws at setup for ${JSON.stringify(options)}`, () => {
      assert.throws(() => resolveCacheHeadersOptions(options as CacheHeadersOptions), message);
    });
  }
  it('does not keep a reference to the caller’s nested lists and extensions (express-cache-controller’s shared defaults)', () => {
    const cacheControl = { private: ['x-user'], extensions: { community: 'a' } };
    const resolved = resolveCacheHeadersOptions({ cacheControl, expires: 60, now });
    cacheControl.private.push('x-leak');
    cacheControl.extensions.community = 'leaked';
    const patch = cacheHeadersPatch(resolved, { method: 'GET', status: 200, headers: {} });
    assert.equal(patch?.set['cache-control'], 'private="x-user", max-age=60, community=a');
  });
  it('hands out a fresh patch every time, so changing one cannot change the defaults', () => {
    const resolved = resolveCacheHeadersOptions({ noCache: true });
    const response = { method: 'GET', status: 200, headers: {} };
    const first = cacheHeadersPatch(resolved, response);
    (first?.set as Record<string, string>)['cache-control'] = 'public, max-age=600';
    assert.equal(cacheHeadersPatch(resolved, response)?.set['cache-control'], 'no-store');
  });
  it('does not keep a reference to the caller’s directives', () => {
    const cacheControl = { maxAge: 60 };
    const resolved = resolveCacheHeadersOptions({ cacheControl });
    cacheControl.maxAge = 1;
    const patch = cacheHeadersPatch(resolved, { method: 'GET', status: 200, headers: {} });
    assert.equal(patch?.set['cache-control'], 'max-age=60');
  });
});

describe('cacheHeadersPatch', () => {
  describe('when the response is successful', () => {
    it('writes the default Cache-Control on a 200 without one', () => {
      assert.deepEqual(patchFor({ cacheControl: { public: true, maxAge: '1m' } }, {}), {
        set: { 'cache-control': 'public, max-age=60' },
        remove: [],
      });
    });
    it('never overwrites a Cache-Control the handler set', () => {
      const patch = patchFor(
        { cacheControl: { maxAge: 60 } },
        { headers: { 'cache-control': 'private' } },
      );
      assert.equal(patch, undefined);
    });
    it('writes the same defaults on a 304, which stands for the 200', () => {
      assert.equal(
        patchFor({ cacheControl: { maxAge: 60 } }, { status: 304 })?.set['cache-control'],
        'max-age=60',
      );
    });
    it('writes max-age, Expires and Last-Modified for the expires option', () => {
      assert.deepEqual(patchFor({ expires: '10m', cacheControl: { public: true } }, {}), {
        set: {
          'cache-control': 'public, max-age=600',
          expires: formatHttpDate(NOW + 600_000),
          'last-modified': formatHttpDate(NOW),
        },
        remove: [],
      });
    });
    it('writes the full no-cache set for the noCache option', () => {
      assert.deepEqual(patchFor({ noCache: true }, { status: 204 })?.set, {
        'cache-control': 'no-store',
        pragma: 'no-cache',
        expires: '0',
      });
    });
    it('leaves methods outside the list alone', () => {
      assert.equal(patchFor({ cacheControl: { maxAge: 60 } }, { method: 'POST' }), undefined);
      assert.ok(patchFor({ cacheControl: { maxAge: 60 }, methods: ['post'] }, { method: 'POST' }));
    });
    it('writes nothing without defaults', () => {
      assert.equal(patchFor({}, {}), undefined);
    });
  });

  describe('when the response is an error', () => {
    it('replaces a handler Cache-Control with no-store on a 5xx and drops Expires', () => {
      const patch = patchFor(
        { cacheControl: { maxAge: 60 } },
        { status: 500, headers: { 'cache-control': 'public, max-age=60', expires: 'x' } },
      );
      assert.deepEqual(patch, { set: { 'cache-control': 'no-store' }, remove: ['expires'] });
    });
    it('adds no-store to a 4xx without Cache-Control, for any method', () => {
      assert.deepEqual(patchFor({}, { status: 404, method: 'POST' }), {
        set: { 'cache-control': 'no-store' },
        remove: [],
      });
    });
    it('keeps a Cache-Control a 4xx set deliberately', () => {
      assert.equal(
        patchFor({}, { status: 410, headers: { 'cache-control': 'max-age=60' } }),
        undefined,
      );
    });
    it('leaves errors alone when noStoreOnError is false', () => {
      assert.equal(patchFor({ noStoreOnError: false }, { status: 503 }), undefined);
    });
  });

  it('leaves redirects alone', () => {
    assert.equal(patchFor({ cacheControl: { maxAge: 60 } }, { status: 302 }), undefined);
  });
});
