import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cacheControlPatch,
  cacheExpiresPatch,
  NEVER_EXPIRES_SECONDS,
  noCachePatch,
} from '../src/browser-cache.ts';
import { MAX_DELTA_SECONDS } from '../src/cache-control.ts';
import { formatHttpDate } from '../src/http-date.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => formatHttpDate(NOW + seconds * 1000);

describe('cacheControlPatch', () => {
  it('merges into the existing Cache-Control by default', () => {
    const patch = cacheControlPatch(
      { 'cache-control': 'no-transform' },
      { public: true, maxAge: 30 },
    );
    assert.deepEqual(patch, {
      set: { 'cache-control': 'public, no-transform, max-age=30' },
      remove: [],
    });
  });
  it('replaces the existing Cache-Control when told to', () => {
    const patch = cacheControlPatch(
      { 'cache-control': 'no-transform' },
      { maxAge: '1m' },
      { replace: true },
    );
    assert.deepEqual(patch.set, { 'cache-control': 'max-age=60' });
  });
  it('removes the header when nothing is left', () => {
    const patch = cacheControlPatch({ 'cache-control': 'no-store' }, { noStore: false });
    assert.deepEqual(patch, { set: {}, remove: ['cache-control'] });
  });
  it('names the caller in errors', () => {
    assert.throws(
      () => cacheControlPatch({}, { maxAge: -5 }),
      /^RangeError: cacheControl: option "maxAge"/,
    );
  });
});

describe('cacheControlPatch options', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'a misspelt replace',
      { replce: true },
      /^cacheControl: unknown option "replce" \(did you mean "replace"\?\)/,
    ],
    [
      'a non-boolean replace',
      { replace: 'yes' },
      /^cacheControl: option "replace" must be a boolean, got "yes"$/,
    ],
    ['options that are not an object', 5, /^cacheControl: options must be an object, got 5$/],
  ];
  for (const [label, options, message] of cases) {
    it(`throws a TypeError for ${label}`, () => {
      assert.throws(() => cacheControlPatch({}, { public: true }, options as never), {
        name: 'TypeError',
        message,
      });
    });
  }
  it('throws a TypeError printing directives that are not an object', () => {
    assert.throws(() => cacheExpiresPatch({}, 60, 'public' as never), {
      name: 'TypeError',
      message: 'cacheExpires: directives must be an object, got "public"',
    });
  });
});

describe('cacheExpiresPatch', () => {
  it('sets max-age, Expires and Last-Modified from one clock reading', () => {
    assert.deepEqual(cacheExpiresPatch({}, '10m', {}, NOW), {
      set: { 'cache-control': 'max-age=600', expires: at(600), 'last-modified': at(0) },
      remove: [],
    });
  });
  it('keeps a Last-Modified the handler set', () => {
    const patch = cacheExpiresPatch(
      { 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT' },
      60,
      {},
      NOW,
    );
    assert.equal(patch.set['last-modified'], undefined);
  });
  it('reads a Date as the expiry time', () => {
    const patch = cacheExpiresPatch({}, new Date(NOW + 90_500), {}, NOW);
    assert.equal(patch.set['cache-control'], 'max-age=90');
    assert.equal(patch.set.expires, at(90));
  });
  it('writes max-age=0 for a Date in the past', () => {
    const patch = cacheExpiresPatch({}, new Date(NOW - 60_000), {}, NOW);
    assert.equal(patch.set['cache-control'], 'max-age=0');
    assert.equal(patch.set.expires, at(-60));
  });
  for (const never of ['never', Number.POSITIVE_INFINITY] as const) {
    it(`reads ${String(never)} as one year`, () => {
      const patch = cacheExpiresPatch({}, never, {}, NOW);
      assert.equal(patch.set['cache-control'], `max-age=${NEVER_EXPIRES_SECONDS}`);
      assert.equal(patch.set.expires, at(NEVER_EXPIRES_SECONDS));
    });
  }
  it('merges extra directives and keeps unrelated existing ones', () => {
    const patch = cacheExpiresPatch(
      { 'cache-control': 'no-transform' },
      '1h',
      { public: true },
      NOW,
    );
    assert.equal(patch.set['cache-control'], 'public, no-transform, max-age=3600');
  });
  it('lifts a no-cache default: removes no-store, no-cache and Pragma: no-cache', () => {
    const patch = cacheExpiresPatch(
      { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', expires: '0' },
      '5m',
      {},
      NOW,
    );
    assert.deepEqual(patch, {
      set: { 'cache-control': 'max-age=300', expires: at(300), 'last-modified': at(0) },
      remove: ['pragma'],
    });
  });
  it('keeps no-cache given in the directives themselves', () => {
    const patch = cacheExpiresPatch({}, '5m', { noCache: true }, NOW);
    assert.equal(patch.set['cache-control'], 'no-cache, max-age=300');
  });
  it('writes an already-expired response for a zero duration without lifting no-store', () => {
    const patch = cacheExpiresPatch({ 'cache-control': 'no-store' }, 0, {}, NOW);
    assert.equal(patch.set['cache-control'], 'no-store, max-age=0');
    assert.equal(patch.set.expires, at(0));
  });
  it('clamps a huge duration at the delta-seconds limit so Expires stays a valid date', () => {
    const patch = cacheExpiresPatch({}, 1e12, {}, NOW);
    assert.equal(patch.set['cache-control'], `max-age=${MAX_DELTA_SECONDS}`);
    assert.equal(patch.set.expires, at(MAX_DELTA_SECONDS));
  });
  const bad: Array<[unknown, unknown, RegExp]> = [
    [new Date(8.64e15), {}, /^RangeError: cacheExpires: expected a Date between/],
    [60, null, /^TypeError: cacheExpires: directives must be an object/],
    [-1, {}, /^RangeError: cacheExpires: option "duration"/],
    ['soon', {}, /^RangeError: cacheExpires/],
    [new Date('x'), {}, /^RangeError: cacheExpires: expected a valid Date/],
    [60, { maxAge: 5 }, /^TypeError: cacheExpires: give the lifetime/],
    [60, { maxage: 5 }, /^TypeError: cacheExpires: unknown directive/],
  ];
  for (const [when, directives, message] of bad) {
    it(`throws for ${String(when)} with ${JSON.stringify(directives)}`, () => {
      assert.throws(
        () => cacheExpiresPatch({}, when as number, directives as object, NOW),
        message,
      );
    });
  }
});

describe('noCachePatch', () => {
  it('sets no-store, Pragma: no-cache and Expires: 0', () => {
    assert.deepEqual(noCachePatch({ 'cache-control': 'public, max-age=60' }), {
      set: { 'cache-control': 'no-store', pragma: 'no-cache', expires: '0' },
      remove: [],
    });
  });
  it('undoes itself when disabled', () => {
    assert.deepEqual(
      noCachePatch({ 'cache-control': 'no-store', pragma: 'no-cache', expires: '0' }, false),
      { set: {}, remove: ['cache-control', 'pragma', 'expires'] },
    );
  });
  it('keeps unrelated directives and a real Expires when disabled', () => {
    const headers = { 'cache-control': 'no-store, private', expires: at(60), pragma: 'x' };
    assert.deepEqual(noCachePatch(headers, false), {
      set: { 'cache-control': 'private' },
      remove: [],
    });
  });
});
