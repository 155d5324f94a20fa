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
  it('reads and merges a 10 KB value without duplicating', () => {
    const huge = Array.from({ length: 1000 }, (_, i) => `X-Field-${i}`).join(', ');
    assert.ok(huge.length > 10_000);
    assert.equal((parseVary(huge) as string[]).length, 1000);
    assert.equal(mergeVary(huge, 'x-field-999', 'Accept'), `${huge}, Accept`);
  });
  it('throws a TypeError for a field that is not a header name', () => {
    assert.throws(() => mergeVary('Accept', 'bad name'), /^TypeError: mergeVary/);
  });
});
