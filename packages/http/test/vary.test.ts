import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeVary, parseVary } from '../src/vary.ts';

describe('parseVary', () => {
  const cases: Array<[string | string[] | undefined, string[] | '*']> = [
    [undefined, []],
    ['', []],
    ['Accept-Encoding', ['accept-encoding']],
    ['Accept-Encoding, accept-language,ACCEPT-ENCODING', ['accept-encoding', 'accept-language']],
    [' , Accept ,, ', ['accept']],
    ['*', '*'],
    ['Accept, *', '*'],
    [
      ['Accept', 'Cookie'],
      ['accept', 'cookie'],
    ],
    ['bad name, Accept', ['accept']],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)}`, () => {
      assert.deepEqual(parseVary(value), expected);
    });
  }
});

describe('mergeVary', () => {
  const cases: Array<[string | string[] | undefined, string[], string]> = [
    [undefined, ['Accept-Encoding'], 'Accept-Encoding'],
    ['Accept-Encoding', ['accept-encoding'], 'Accept-Encoding'],
    ['Accept-Encoding', ['Accept-Language', 'accept-language'], 'Accept-Encoding, Accept-Language'],
    ['accept, Accept', ['Cookie'], 'accept, Cookie'],
    ['*', ['Accept'], '*'],
    ['Accept', ['*'], '*'],
    ['Accept, *', [], '*'],
    [['Accept', 'Origin'], ['Accept'], 'Accept, Origin'],
    ['', [], ''],
  ];
  for (const [existing, fields, expected] of cases) {
    it(`adds ${JSON.stringify(fields)} to ${JSON.stringify(existing)}`, () => {
      assert.equal(mergeVary(existing, ...fields), expected);
    });
  }
  it('throws a TypeError for a field that is not a header name', () => {
    assert.throws(() => mergeVary('Accept', 'bad name'), /^TypeError: mergeVary/);
  });
});
