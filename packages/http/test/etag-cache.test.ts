import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagCacheDecision } from '../src/etag-cache.ts';
import type { HeaderRecord } from '../src/response-cache/types.ts';

function decide(
  requestHeaders: HeaderRecord,
  options: { method?: string; status?: number; headers?: HeaderRecord; weak?: boolean } = {},
) {
  return etagCacheDecision(
    { method: options.method ?? 'GET', headers: requestHeaders },
    { status: options.status ?? 200, headers: options.headers ?? {} },
    'v1',
    options.weak === undefined ? {} : { weak: options.weak },
  );
}

describe('etagCacheDecision', () => {
  it('sets a strong ETag from the key and carries on when the request is unconditional', () => {
    assert.deepEqual(decide({}), {
      status: undefined,
      notModified: false,
      etag: '"v1"',
      patch: { set: { etag: '"v1"' }, remove: [] },
    });
  });
  it('sets a weak ETag on request', () => {
    assert.equal(decide({}, { weak: true }).etag, 'W/"v1"');
  });
  it('answers 304 and drops representation headers when If-None-Match matches', () => {
    const decision = decide(
      { 'if-none-match': '"v0", W/"v1"' },
      { headers: { 'content-type': 'text/html' } },
    );
    assert.equal(decision.notModified, true);
    assert.deepEqual(decision.patch.remove, ['content-type']);
  });
  it('carries on when If-None-Match names another version', () => {
    assert.equal(decide({ 'if-none-match': '"v0"' }).notModified, false);
  });
  it('uses If-Modified-Since only against a Last-Modified already set', () => {
    const ims = { 'if-modified-since': 'Mon, 07 Nov 1994 08:49:37 GMT' };
    assert.equal(decide(ims).notModified, false);
    const headers = { 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT' };
    assert.equal(decide(ims, { headers }).notModified, true);
  });
  for (const method of ['POST', 'PUT', 'DELETE']) {
    it(`leaves a ${method} untouched`, () => {
      assert.deepEqual(decide({ 'if-none-match': '*' }, { method }), {
        status: undefined,
        notModified: false,
        etag: undefined,
        patch: { set: {}, remove: [] },
      });
    });
  }
  for (const status of [301, 404, 500]) {
    it(`leaves a response that would be ${status} untouched (RFC 9110 §13.2.1)`, () => {
      assert.equal(decide({ 'if-none-match': '"v1"' }, { status }).etag, undefined);
    });
  }
  it('leaves a response whose headers are already sent untouched, even when If-None-Match matches', () => {
    const decision = etagCacheDecision(
      { method: 'GET', headers: { 'if-none-match': '"v1"' } },
      { status: 200, headers: {}, headersSent: true },
      'v1',
    );
    assert.deepEqual(decision, {
      status: undefined,
      notModified: false,
      etag: undefined,
      patch: { set: {}, remove: [] },
    });
  });
  it('throws a TypeError naming etagCache for a bad key, on any method', () => {
    assert.throws(
      () => etagCacheDecision({ method: 'POST', headers: {} }, { status: 200, headers: {} }, ''),
      /^TypeError: etagCache: key/,
    );
  });
  it('throws a TypeError for a non-boolean weak option', () => {
    assert.throws(
      () =>
        etagCacheDecision({ method: 'GET', headers: {} }, { status: 200, headers: {} }, 1, {
          weak: 'yes' as unknown as boolean,
        }),
      /^TypeError: etagCache: option "weak"/,
    );
  });

  describe('preconditions, in the order of RFC 9110 §13.2.2', () => {
    const LM = 'Sun, 06 Nov 1994 08:49:37 GMT';
    const BEFORE = 'Sat, 05 Nov 1994 08:49:37 GMT';
    const AFTER = 'Mon, 07 Nov 1994 08:49:37 GMT';
    // [label, request headers, method, Last-Modified already set, weak ETag, expected status]
    const cases: Array<
      [string, HeaderRecord, string, string | undefined, boolean, 304 | 412 | undefined]
    > = [
      [
        'If-Match names the current ETag',
        { 'if-match': '"v1"' },
        'GET',
        undefined,
        false,
        undefined,
      ],
      [
        'If-Match lists it among others',
        { 'if-match': '"v0", "v1"' },
        'GET',
        undefined,
        false,
        undefined,
      ],
      ['If-Match names another version', { 'if-match': '"v0"' }, 'GET', undefined, false, 412],
      [
        'If-Match names it weakly (strong comparison, §13.1.1)',
        { 'if-match': 'W/"v1"' },
        'GET',
        undefined,
        false,
        412,
      ],
      [
        'If-Match names it but the ETag sent is weak',
        { 'if-match': 'W/"v1"' },
        'GET',
        undefined,
        true,
        412,
      ],
      ['If-Match is *', { 'if-match': '*' }, 'GET', undefined, false, undefined],
      ['If-Match is malformed', { 'if-match': 'v1' }, 'GET', undefined, false, 412],
      ['If-Match fails on a PUT', { 'if-match': '"v0"' }, 'PUT', undefined, false, 412],
      ['If-Match fails on a DELETE', { 'if-match': '"v0"' }, 'DELETE', undefined, false, 412],
      ['If-Match holds on a PUT', { 'if-match': '"v1"' }, 'PUT', undefined, false, undefined],
      [
        'If-Match fails although If-None-Match would give 304 (step 1 first)',
        { 'if-match': '"v0"', 'if-none-match': '"v1"' },
        'GET',
        undefined,
        false,
        412,
      ],
      [
        'If-Match holds and If-None-Match matches',
        { 'if-match': '"v1"', 'if-none-match': '"v1"' },
        'GET',
        undefined,
        false,
        304,
      ],
      [
        'If-Match holds, so If-Unmodified-Since is ignored (§13.1.4)',
        { 'if-match': '"v1"', 'if-unmodified-since': BEFORE },
        'GET',
        LM,
        false,
        undefined,
      ],
      [
        'If-Unmodified-Since is before Last-Modified',
        { 'if-unmodified-since': BEFORE },
        'GET',
        LM,
        false,
        412,
      ],
      [
        'If-Unmodified-Since is before Last-Modified on a PUT',
        { 'if-unmodified-since': BEFORE },
        'PUT',
        LM,
        false,
        412,
      ],
      [
        'If-Unmodified-Since equals Last-Modified',
        { 'if-unmodified-since': LM },
        'GET',
        LM,
        false,
        undefined,
      ],
      [
        'If-Unmodified-Since is after Last-Modified',
        { 'if-unmodified-since': AFTER },
        'GET',
        LM,
        false,
        undefined,
      ],
      [
        'If-Unmodified-Since with no Last-Modified to compare',
        { 'if-unmodified-since': BEFORE },
        'GET',
        undefined,
        false,
        undefined,
      ],
      [
        'If-Unmodified-Since is not an HTTP-date',
        { 'if-unmodified-since': '1994-11-05' },
        'GET',
        LM,
        false,
        undefined,
      ],
      [
        'If-Unmodified-Since is a list of dates',
        { 'if-unmodified-since': [BEFORE, BEFORE] },
        'GET',
        LM,
        false,
        undefined,
      ],
      [
        'If-Unmodified-Since fails before If-None-Match is looked at (step 2 first)',
        { 'if-unmodified-since': BEFORE, 'if-none-match': '"v1"' },
        'GET',
        LM,
        false,
        412,
      ],
      [
        'If-Unmodified-Since holds and If-Modified-Since is satisfied',
        { 'if-unmodified-since': AFTER, 'if-modified-since': AFTER },
        'GET',
        LM,
        false,
        304,
      ],
      [
        'If-None-Match on a PUT is left to the handler',
        { 'if-none-match': '*' },
        'PUT',
        undefined,
        false,
        undefined,
      ],
    ];
    for (const [label, headers, method, lastModified, weak, expected] of cases) {
      it(`${expected ?? 'carries on'} when ${label}`, () => {
        const decision = decide(headers, {
          method,
          weak,
          headers: {
            'content-type': 'text/html',
            ...(lastModified === undefined ? {} : { 'last-modified': lastModified }),
          },
        });
        assert.equal(decision.status, expected);
        assert.equal(decision.notModified, expected === 304);
        assert.deepEqual(decision.patch.remove, expected === undefined ? [] : ['content-type']);
      });
    }
    for (const status of [301, 404, 500]) {
      it(`ignores a failing If-Match when the response would be ${status} (§13.2.1)`, () => {
        assert.equal(decide({ 'if-match': '"v0"' }, { status }).status, undefined);
      });
    }
    it('sets no ETag on the 412 of a PUT, and the current ETag on the 412 of a GET', () => {
      assert.deepEqual(decide({ 'if-match': '"v0"' }, { method: 'PUT' }).patch.set, {});
      assert.deepEqual(decide({ 'if-match': '"v0"' }).patch.set, { etag: '"v1"' });
    });
  });
  it('throws a TypeError naming etagCache and the misspelt option', () => {
    assert.throws(
      () =>
        etagCacheDecision({ method: 'GET', headers: {} }, { status: 200, headers: {} }, 1, {
          weka: true,
        } as never),
      /^TypeError: etagCache: unknown option "weka" \(did you mean "weak"\?\)/,
    );
  });
});
