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
});
