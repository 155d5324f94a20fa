import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHttpDate, parseHttpDate } from '../src/http-date.ts';

const RFC_EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('formatHttpDate', () => {
  it('writes an IMF-fixdate from epoch milliseconds', () => {
    assert.equal(formatHttpDate(RFC_EXAMPLE), 'Sun, 06 Nov 1994 08:49:37 GMT');
  });
  it('writes an IMF-fixdate from a Date, dropping milliseconds', () => {
    assert.equal(formatHttpDate(new Date(RFC_EXAMPLE + 999)), 'Sun, 06 Nov 1994 08:49:37 GMT');
  });
  it('pads years below 1000 to four digits', () => {
    assert.equal(formatHttpDate(Date.UTC(999, 0, 1) - 0), 'Tue, 01 Jan 0999 00:00:00 GMT');
  });
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, new Date('nope'), 8.64e15]) {
    it(`throws a RangeError for ${String(bad)}`, () => {
      assert.throws(() => formatHttpDate(bad), RangeError);
    });
  }
  it('round-trips through parseHttpDate', () => {
    for (const t of [0, RFC_EXAMPLE, NOW, Date.UTC(9999, 11, 31, 23, 59, 59)]) {
      assert.equal(parseHttpDate(formatHttpDate(t)), t);
    }
  });
});

describe('parseHttpDate', () => {
  describe('when the value is one of the three RFC 9110 §5.6.7 forms', () => {
    const cases: Array<[string, number]> = [
      ['Sun, 06 Nov 1994 08:49:37 GMT', RFC_EXAMPLE],
      ['Sunday, 06-Nov-94 08:49:37 GMT', RFC_EXAMPLE],
      ['Sun Nov  6 08:49:37 1994', RFC_EXAMPLE],
      ['Sun Nov 06 08:49:37 1994', RFC_EXAMPLE],
      ['sun, 06 nov 1994 08:49:37 gmt', RFC_EXAMPLE],
      ['SUNDAY, 06-NOV-94 08:49:37 GMT', RFC_EXAMPLE],
      ['  Sun, 06 Nov 1994 08:49:37 GMT\t', RFC_EXAMPLE],
      ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
      ['Wed, 31 Dec 1969 23:59:59 GMT', -1000],
      ['Thu, 29 Feb 2024 00:00:00 GMT', Date.UTC(2024, 1, 29)],
      ['Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2017, 0, 1)],
      // A wrong day name is still the grammar's day-name: the date decides.
      ['Mon, 06 Nov 1994 08:49:37 GMT', RFC_EXAMPLE],
    ];
    for (const [value, expected] of cases) {
      it(`reads ${JSON.stringify(value)}`, () => {
        assert.equal(parseHttpDate(value, NOW), expected);
      });
    }
  });

  describe('when an RFC 850 date has a two-digit year', () => {
    const cases: Array<[string, number]> = [
      ['Sunday, 06-Nov-94 08:49:37 GMT', 1994],
      ['Friday, 01-Jan-27 00:00:00 GMT', 2027],
      ['Thursday, 01-Jan-76 00:00:00 GMT', 2076],
      ['Tuesday, 01-Jan-77 00:00:00 GMT', 1977],
    ];
    for (const [value, year] of cases) {
      it(`places ${value.slice(0, 21)} in ${year} (more than 50 years ahead means the past)`, () => {
        const parsed = parseHttpDate(value, NOW);
        assert.equal(new Date(parsed ?? Number.NaN).getUTCFullYear(), year);
      });
    }
  });

  describe('when the value is anything else', () => {
    const invalid: unknown[] = [
      undefined,
      '',
      '0',
      '-1',
      'now',
      'Sun, 06 Nov 1994 08:49:37 PST',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37 +0000',
      'Sun, 06 Nov 1994 08:49:37',
      '1994-11-06T08:49:37Z',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 94 08:49:37 GMT',
      'Sun,  06 Nov 1994 08:49:37 GMT',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 00 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 06 Nov 1994 08:60:00 GMT',
      'Sun, 06 Nov 1994 08:49:61 GMT',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT',
      ['Sun, 06 Nov 1994 08:49:37 GMT'],
      'Sun Nov 6 08:49:37 1994',
      'Sun Nov  6 08:49:37 1994 GMT',
      'Sun, 06-Nov-94 08:49:37 GMT',
      `Sun, 06 Nov 1994 08:49:37 GMT${' '.repeat(10_000)}x`,
      'x'.repeat(10_000),
      42,
      null,
    ];
    for (const value of invalid) {
      it(`returns undefined for ${JSON.stringify(value)?.slice(0, 60)}`, () => {
        assert.equal(parseHttpDate(value as string, NOW), undefined);
      });
    }
  });
});
