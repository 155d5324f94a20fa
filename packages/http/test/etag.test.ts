import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  etagForCoding,
  etagFromBody,
  etagFromKey,
  isETag,
  parseETagList,
  strongCompare,
  weakCompare,
} from '../src/etag.ts';

describe('etagFromBody', () => {
  it('makes a strong tag from the length and digest of a string', () => {
    assert.equal(etagFromBody('hello'), '"5-qvTGHdzF6KLavt4PO0gs2a6pQ00"');
  });
  it('makes the same tag from the same bytes in a Buffer', () => {
    assert.equal(etagFromBody(Buffer.from('hello')), etagFromBody('hello'));
  });
  it('makes a weak tag on request', () => {
    assert.equal(etagFromBody('hello', { weak: true }), 'W/"5-qvTGHdzF6KLavt4PO0gs2a6pQ00"');
  });
});

describe('etagFromKey', () => {
  const cases: Array<[string | number, boolean, string]> = [
    [42, false, '"42"'],
    ['v7', false, '"v7"'],
    ['v7', true, 'W/"v7"'],
    ['post:12:2026-01-01T00:00:00Z', false, '"post:12:2026-01-01T00:00:00Z"'],
  ];
  for (const [key, weak, expected] of cases) {
    it(`uses the key itself for ${JSON.stringify(key)}${weak ? ' (weak)' : ''}`, () => {
      assert.equal(etagFromKey(key, { weak }), expected);
    });
  }
  for (const key of ['has "quotes"', 'back\\slash', 'space in it', 'ünïcode', 'x'.repeat(129)]) {
    it(`hashes a key that cannot be an opaque-tag: ${JSON.stringify(key).slice(0, 30)}`, () => {
      const tag = etagFromKey(key);
      assert.match(tag, /^"~[A-Za-z0-9_-]{27}"$/);
      assert.equal(etagFromKey(key), tag);
      assert.ok(isETag(tag));
    });
  }
  it('gives different keys different tags', () => {
    assert.notEqual(etagFromKey('a b'), etagFromKey('a  b'));
  });
  for (const bad of ['', Number.NaN, Number.POSITIVE_INFINITY, undefined, null, {}]) {
    it(`throws a TypeError naming the caller for ${String(bad)}`, () => {
      assert.throws(
        () => etagFromKey(bad as string, {}, 'etagCache'),
        /^TypeError: etagCache: key/,
      );
    });
  }
});

describe('strongCompare and weakCompare (RFC 9110 §8.8.3.2)', () => {
  const table: Array<[string, string, boolean, boolean]> = [
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', 'W/"1"', false, true],
    ['"1"', '"1"', true, true],
    ['"1"', '"2"', false, false],
    ['1', '1', false, false],
    ['w/"1"', '"1"', false, false],
    ['""', '""', true, true],
  ];
  for (const [a, b, strong, weak] of table) {
    it(`compares ${a} with ${b}: strong ${strong}, weak ${weak}`, () => {
      assert.equal(strongCompare(a, b), strong);
      assert.equal(weakCompare(a, b), weak);
    });
  }
});

describe('parseETagList', () => {
  const cases: Array<[string | string[] | undefined, string[] | '*']> = [
    [undefined, []],
    ['', []],
    ['*', '*'],
    ['  *  ', '*'],
    ['"a"', ['"a"']],
    ['"a", "b"', ['"a"', '"b"']],
    ['"a","b"', ['"a"', '"b"']],
    ['  "a"  ,  W/"b"  ', ['"a"', 'W/"b"']],
    ['"a,b", "c"', ['"a,b"', '"c"']],
    ['W/"a,b",W/"c"', ['W/"a,b"', 'W/"c"']],
    ['"a b"', []],
    [',,"a",,', ['"a"']],
    ['a, "b"', ['"b"']],
    ['"a" junk, "b"', ['"b"']],
    ['"unterminated, "b"', ['"b"']],
    ['"unterminated', []],
    ['"x\\", "y"', ['"x\\"', '"y"']],
    ['*, "a"', ['"a"']],
    ['w/"a"', []],
    [
      ['"a"', '"b"'],
      ['"a"', '"b"'],
    ],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)}`, () => {
      assert.deepEqual(parseETagList(value), expected);
    });
  }
  it('reads a 10 KB list without throwing', () => {
    const list = Array.from({ length: 1000 }, (_, i) => `W/"tag-${i}"`).join(' , ');
    assert.ok(list.length > 10_000);
    const tags = parseETagList(list);
    assert.ok(Array.isArray(tags) && tags.length === 1000);
  });
});

describe('etagForCoding', () => {
  const cases: readonly (readonly [string, string | undefined, string, string])[] = [
    ['"abc"', 'gzip', '"abc-gzip"', 'suffixes a strong tag with its coding'],
    ['"abc"', 'BR', '"abc-br"', 'lower-cases the coding'],
    ['"abc-gzip"', 'gzip', '"abc-gzip"', 'leaves a tag already marked for the coding'],
    [
      'W/"abc"',
      'gzip',
      'W/"abc"',
      'leaves a weak tag: weak comparison may share it across codings',
    ],
    ['"abc"', 'identity', '"abc"', 'leaves identity alone'],
    ['"abc"', undefined, '"abc"', 'leaves a response without a coding alone'],
    ['"abc"', 'gzip, br', '"abc"', 'leaves a chain of codings alone (never stored)'],
    ['abc', 'gzip', 'abc', 'leaves an invalid tag alone'],
  ];
  for (const [tag, coding, expected, behaviour] of cases) {
    it(`${behaviour}: ${tag} + ${String(coding)} -> ${expected}`, () => {
      assert.equal(etagForCoding(tag, coding), expected);
    });
  }
});
