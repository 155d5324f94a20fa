import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isNotModified,
  notModifiedHeaders,
  notModifiedRemovals,
  type Validators,
} from '../src/conditional.ts';
import type { HeaderRecord } from '../src/response-cache/types.ts';

const LM = 'Sun, 06 Nov 1994 08:49:37 GMT';
const LM_MS = Date.UTC(1994, 10, 6, 8, 49, 37);
const LATER = 'Mon, 07 Nov 1994 08:49:37 GMT';
const EARLIER = 'Sat, 05 Nov 1994 08:49:37 GMT';

function check(headers: HeaderRecord, validators: Validators, method = 'GET'): boolean {
  return isNotModified({ method, headers }, validators);
}

describe('isNotModified', () => {
  describe('when If-None-Match is present (RFC 9110 §13.1.2)', () => {
    const cases: Array<[string, string | undefined, boolean]> = [
      ['"a"', '"a"', true],
      ['"b"', '"a"', false],
      ['W/"a"', '"a"', true],
      ['"a"', 'W/"a"', true],
      ['W/"a"', 'W/"a"', true],
      ['"x", "y", "a"', '"a"', true],
      ['"x" ,W/"a" ', '"a"', true],
      ['"a,b"', '"a,b"', true],
      ['"a,b"', '"a"', false],
      ['*', '"a"', true],
      ['*', undefined, true],
      ['"a"', undefined, false],
      ['a', '"a"', false],
      ['"a"', 'a', false],
      ['garbage', '"a"', false],
      [',,,', '"a"', false],
    ];
    for (const [inm, etag, expected] of cases) {
      it(`is ${expected} for If-None-Match ${inm} against ETag ${etag}`, () => {
        assert.equal(check({ 'if-none-match': inm }, { etag }), expected);
      });
    }
    it('ignores If-Modified-Since even when it alone would match (§13.2.2)', () => {
      const headers = { 'if-none-match': '"old"', 'if-modified-since': LATER };
      assert.equal(check(headers, { etag: '"new"', lastModified: LM }), false);
    });
    for (const inm of ['junk', '', '  ', ['', '']]) {
      it(`ignores If-Modified-Since when If-None-Match is present but ${JSON.stringify(inm)}`, () => {
        const headers = { 'if-none-match': inm, 'if-modified-since': LATER };
        assert.equal(check(headers, { etag: '"new"', lastModified: LM }), false);
      });
    }
    it('answers 304 when the request also says Cache-Control: no-cache (the origin validates)', () => {
      const headers = { 'if-none-match': '"a"', 'cache-control': 'no-cache' };
      assert.equal(check(headers, { etag: '"a"' }), true);
    });
    it('reads repeated If-None-Match lines as one list', () => {
      assert.equal(check({ 'if-none-match': ['"x"', '"a"'] }, { etag: '"a"' }), true);
    });
    it('reads a 10 KB list', () => {
      const list = Array.from({ length: 1000 }, (_, i) => `"tag-${i}"`).join(', ');
      assert.equal(check({ 'if-none-match': list }, { etag: '"tag-999"' }), true);
    });
  });

  describe('when only If-Modified-Since is present (RFC 9110 §13.1.3)', () => {
    const cases: Array<[unknown, string | number | undefined, boolean]> = [
      [LM, LM, true],
      [LATER, LM, true],
      [EARLIER, LM, false],
      [LM, LM_MS, true],
      [LM, LM_MS + 999, true],
      [LM, LM_MS + 1000, false],
      ['Sunday, 06-Nov-94 08:49:37 GMT', LM, true],
      ['Sun Nov  6 08:49:37 1994', LM, true],
      [LATER, undefined, false],
      [LATER, 'not a date', false],
      [LATER, Number.NaN, false],
      ['Mon, 07 Nov 1994 08:49:37 PST', LM, false],
      ['2094-01-01', LM, false],
      ['0', LM, false],
      [[LATER, LATER], LM, false],
      [`${LATER}, ${LATER}`, LM, false],
      ['x'.repeat(10_000), LM, false],
    ];
    for (const [ims, lastModified, expected] of cases) {
      it(`is ${expected} for If-Modified-Since ${JSON.stringify(ims)?.slice(0, 40)} against ${lastModified}`, () => {
        assert.equal(check({ 'if-modified-since': ims as string }, { lastModified }), expected);
      });
    }
  });

  describe('when the method is not GET or HEAD', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      it(`is false for ${method}`, () => {
        assert.equal(check({ 'if-none-match': '*' }, { etag: '"a"' }, method), false);
      });
    }
    it('is true for HEAD and for a lower-case get', () => {
      assert.equal(check({ 'if-none-match': '"a"' }, { etag: '"a"' }, 'HEAD'), true);
      assert.equal(check({ 'if-none-match': '"a"' }, { etag: '"a"' }, 'get'), true);
    });
  });

  it('is false for an unconditional request', () => {
    assert.equal(check({}, { etag: '"a"', lastModified: LM }), false);
  });
});

describe('notModifiedHeaders (RFC 9110 §15.4.5)', () => {
  it('keeps Cache-Control, Content-Location, Date, ETag, Expires, Vary and Last-Modified only', () => {
    const kept: HeaderRecord = {
      'cache-control': 'max-age=60',
      'content-location': '/a',
      date: LM,
      etag: '"1"',
      expires: LATER,
      vary: ['Accept', 'Accept-Language'],
      'last-modified': LM,
    };
    const dropped: HeaderRecord = {
      'content-type': 'text/html',
      'content-length': '12',
      'content-encoding': 'gzip',
      'set-cookie': ['a=1'],
      'x-custom': 'y',
    };
    assert.deepEqual(notModifiedHeaders({ ...kept, ...dropped }), kept);
  });
  it('matches names case-insensitively and writes numbers as strings', () => {
    assert.deepEqual(notModifiedHeaders({ ETag: '"1"', Expires: 0 as unknown as string }), {
      etag: '"1"',
      expires: '0',
    });
  });
});

describe('notModifiedRemovals', () => {
  it('names the representation and framing headers a 304 must not carry', () => {
    const headers: HeaderRecord = {
      'content-type': 'text/html',
      'Content-Length': '5',
      'transfer-encoding': 'chunked',
      'content-location': '/a',
      'set-cookie': ['a=1'],
      'access-control-allow-origin': '*',
      etag: '"1"',
    };
    assert.deepEqual(notModifiedRemovals(headers), [
      'content-type',
      'Content-Length',
      'transfer-encoding',
    ]);
  });
});
