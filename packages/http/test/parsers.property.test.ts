import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatCacheControl, mergeCacheControl, parseCacheControl } from '../src/cache-control.ts';
import { isNotModified, notModifiedHeaders, notModifiedRemovals } from '../src/conditional.ts';
import { etagFromKey, isETag, parseETagList, strongCompare, weakCompare } from '../src/etag.ts';
import { etagCacheDecision } from '../src/etag-cache.ts';
import { formatHttpDate, parseHttpDate } from '../src/http-date.ts';
import { mergeVary, parseVary } from '../src/vary.ts';

// Fragments that exercise every branch of the header grammars: separators, quotes, escapes,
// directive names, numbers at the overflow boundary, date pieces and entity-tag prefixes.
const FRAGMENTS = [
  ',',
  '=',
  '"',
  '\\',
  ' ',
  '\t',
  ';',
  '*',
  'W/',
  'w/',
  '-',
  ':',
  'max-age',
  'MAX-AGE',
  's-maxage',
  'no-cache',
  'no-store',
  'private',
  'public',
  'immutable',
  'stale-while-revalidate',
  'stale-if-error',
  'max-stale',
  'must-understand',
  'x-ext',
  '__proto__',
  'constructor',
  '0',
  '7',
  '60',
  '2147483648',
  '99999999999999999999',
  '-1',
  '1.5',
  'abc',
  'Sun',
  'Sunday',
  'Nov',
  ' 06 ',
  '1994',
  '94',
  '08:49:37',
  'GMT',
  'PST',
  '\u00e9',
  '\u{1F600}',
  '\u0000',
];
const adversarial = fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 60 });
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
  adversarial,
);
const headerValue = fc.oneof(
  anyString,
  fc.array(anyString, { maxLength: 4 }),
  fc.constant(undefined),
);
const runs = { numRuns: 400 };

describe('every parser in @larder/http on random and adversarial input', () => {
  it('parseCacheControl never throws and format∘parse is stable', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        const once = formatCacheControl(parseCacheControl(value));
        const twice = formatCacheControl(parseCacheControl(once));
        assert.equal(twice, once);
        // Whatever came in, what goes out is a header value Node will send.
        if (once !== '') validateHeaderValue('cache-control', once);
      }),
      runs,
    );
  });

  it('mergeCacheControl never throws on any existing value', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        mergeCacheControl(value, { maxAge: 5, public: true });
      }),
      runs,
    );
  });

  it('parseHttpDate never throws and only returns finite times that format back', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        ),
        (value) => {
          const parsed = parseHttpDate(value);
          if (parsed !== undefined) {
            assert.ok(Number.isFinite(parsed));
            const year = new Date(parsed).getUTCFullYear();
            if (year >= 0 && year <= 9999) {
              assert.equal(parseHttpDate(formatHttpDate(parsed)), parsed);
            }
          }
        },
      ),
      runs,
    );
  });

  it('parseETagList and the comparisons never throw', () => {
    fc.assert(
      fc.property(headerValue, anyString, (value, other) => {
        const tags = parseETagList(value);
        if (tags !== '*') for (const tag of tags) assert.ok(weakCompare(tag, tag));
        strongCompare(other, other);
        weakCompare(other, `W/${other}`);
      }),
      runs,
    );
  });

  it('parseVary and mergeVary never throw', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        parseVary(value);
        validateHeaderValue('vary', mergeVary(value, 'Accept-Encoding'));
      }),
      runs,
    );
  });

  it('isNotModified never throws and never answers 304 without a validator that allows it', () => {
    fc.assert(
      fc.property(headerValue, headerValue, headerValue, anyString, (inm, ims, cc, etag) => {
        const request = {
          method: 'GET',
          headers: { 'if-none-match': inm, 'if-modified-since': ims, 'cache-control': cc },
        };
        const result = isNotModified(request, { etag, lastModified: undefined });
        if (result) {
          const listed = parseETagList(inm);
          assert.ok(listed === '*' || listed.some((tag) => weakCompare(tag, etag.trim())));
        }
        notModifiedHeaders({ etag: inm, vary: cc });
        notModifiedRemovals({ 'content-type': inm });
      }),
      runs,
    );
  });

  it('format∘parse reads back every directive formatCacheControl wrote', () => {
    const seconds = fc.integer({ min: 0, max: 2 ** 32 });
    const fields = fc.uniqueArray(fc.constantFrom('set-cookie', 'authorization', 'x-a'), {
      minLength: 1,
    });
    const directives = fc.record(
      {
        maxAge: seconds,
        sMaxAge: seconds,
        noCache: fc.oneof(fc.constant(true as const), fields),
        noStore: fc.constant(true as const),
        private: fc.oneof(fc.constant(true as const), fields),
        public: fc.constant(true as const),
        immutable: fc.constant(true as const),
        staleWhileRevalidate: seconds,
        extensions: fc.dictionary(
          fc.stringMatching(/^x-[a-z]{1,8}$/),
          fc.oneof(
            fc.constant(true as const),
            fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(directives, (input) => {
        const parsed = parseCacheControl(formatCacheControl(input));
        for (const key of ['maxAge', 'sMaxAge', 'staleWhileRevalidate'] as const) {
          if (input[key] !== undefined) assert.equal(parsed[key], Math.min(input[key], 2 ** 31));
        }
        for (const key of ['noCache', 'private', 'noStore', 'public', 'immutable'] as const) {
          assert.deepEqual(parsed[key], input[key]);
        }
        const extensions = Object.entries(input.extensions ?? {});
        assert.deepEqual(Object.entries(parsed.extensions ?? {}), extensions);
      }),
      runs,
    );
  });

  it('etagFromKey always makes a valid entity-tag from a non-empty key', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyString, fc.double({ noNaN: true, noDefaultInfinity: true })),
        (key) => {
          if (key === '') return;
          assert.ok(isETag(etagFromKey(key)));
          assert.ok(isETag(etagFromKey(key, { weak: true })));
        },
      ),
      runs,
    );
  });

  it('etagCacheDecision never throws on client headers and answers 304 only for a listed tag', () => {
    fc.assert(
      fc.property(anyString, headerValue, headerValue, (method, inm, ims) => {
        const decision = etagCacheDecision(
          { method, headers: { 'if-none-match': inm, 'if-modified-since': ims } },
          { status: 200, headers: {} },
          'v1',
        );
        if (decision.notModified) {
          const listed = parseETagList(inm);
          assert.ok(listed === '*' || listed.some((tag) => weakCompare(tag, '"v1"')));
        }
      }),
      runs,
    );
  });
});
