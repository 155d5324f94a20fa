import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patternToPrefix } from '../src/glob.ts';

describe('patternToPrefix', () => {
  const prefixes: Array<[string, string]> = [
    ['', ''],
    ['*', ''],
    ['posts:', 'posts:'],
    ['posts:*', 'posts:'],
    ['a\\*b:*', 'a*b:'],
    ['a\\[1]:', 'a[1]:'],
    ['a\\?', 'a?'],
    ['trailing\\', 'trailing\\'],
    ['a\\\\*', 'a\\'],
  ];
  for (const [pattern, prefix] of prefixes) {
    it(`reads ${JSON.stringify(pattern)} as the literal prefix ${JSON.stringify(prefix)}`, () => {
      assert.equal(patternToPrefix(pattern, 'cache.clear'), prefix);
    });
  }

  for (const pattern of ['posts:*:comments', 'user?', 'a[bc]', '**']) {
    it(`throws a TypeError naming the method for ${JSON.stringify(pattern)}`, () => {
      assert.throws(() => patternToPrefix(pattern, 'cache.clear'), {
        name: 'TypeError',
        message: new RegExp(
          `^cache\\.clear: pattern ${JSON.stringify(pattern).replace(/[*?[\]\\]/g, '\\$&')} uses glob syntax`,
        ),
      });
    });
  }
});
