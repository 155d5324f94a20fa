import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../src/duration.ts';

describe('parseDuration', () => {
  const valid: Array<[number | string, number]> = [
    [0, 0],
    [30, 30],
    [1.5, 1.5],
    ['30', 30],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['2 days', 172800],
    ['500ms', 0.5],
    // A bare number is seconds however it is written: '.5' must not fall through to ms's milliseconds.
    ['.5', 0.5],
    [' 30 ', 30],
    ['1.5h', 5400],
    ['30 days', 2592000],
    ['never', Number.POSITIVE_INFINITY],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  ];
  for (const [input, seconds] of valid) {
    it(`reads ${JSON.stringify(String(input))} as ${seconds} seconds`, () => {
      assert.equal(parseDuration(input, 'fn', 'ttl'), seconds);
    });
  }

  const invalid: unknown[] = [
    -1,
    Number.NaN,
    '-5m',
    'soon',
    '',
    '5 fortnights',
    null,
    {},
    '5m'.repeat(100),
  ];
  for (const input of invalid) {
    it(`throws a RangeError naming function, option and value for ${String(input)}`, () => {
      assert.throws(
        () => parseDuration(input as string, 'createThing', 'ttl'),
        (error: unknown) =>
          error instanceof RangeError &&
          error.message.includes('createThing') &&
          error.message.includes('"ttl"'),
      );
    });
  }
});
