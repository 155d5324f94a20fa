/**
 * HTTP dates (RFC 9110 §5.6.7): written as IMF-fixdate, read in the three forms a recipient must
 * accept. Written by hand because `Date.parse` accepts far more (local time zones, ISO 8601),
 * which RFC 9110 §13.1.3 and RFC 9111 §4.2 require treating as invalid.
 */
import { describeValue } from '@larder/core';
import { trimOws } from './header-syntax.ts';
import type { HeaderValue } from './response-cache/types.ts';

const DAY = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_LONG = '(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 9111 §4.2: a cache matches dates case-insensitively; only GMT is a valid zone.
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete) */
const RFC_850 = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
/** `Sun Nov  6 08:49:37 1994` (obsolete; a one-digit day is padded with a space) */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`, 'i');

/**
 * Formats a time as an IMF-fixdate, the only form senders may generate (RFC 9110 §5.6.7).
 *
 * @param date - a `Date` or epoch milliseconds
 * @throws RangeError when the time is invalid or outside the years 0000–9999
 * @example formatHttpDate(784111777000) // 'Sun, 06 Nov 1994 08:49:37 GMT'
 */
export function formatHttpDate(date: Date | number): string {
  const time = typeof date === 'number' ? date : date instanceof Date ? date.getTime() : Number.NaN;
  const year = new Date(time).getUTCFullYear();
  if (!Number.isFinite(time) || year < 0 || year > 9999) {
    throw new RangeError(`formatHttpDate: expected a valid date, got ${describeValue(date)}`);
  }
  return new Date(time).toUTCString();
}

/**
 * Parses an HTTP date in any of the three forms of RFC 9110 §5.6.7 to epoch milliseconds.
 * Anything else — another zone, ISO 8601, an impossible day, a list of dates — is `undefined`;
 * never throws.
 *
 * @param now - epoch milliseconds, to place a two-digit RFC 850 year in its century
 * @example parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT') // 784111777000
 */
export function parseHttpDate(
  value: HeaderValue | undefined,
  now: number = Date.now(),
): number | undefined {
  // A repeated header (a list) has more than one member: invalid (RFC 9110 §13.1.3).
  if (typeof value !== 'string') return undefined;
  const text = trimOws(value);
  if (text.length > 40) return undefined; // longer than any valid form
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) return toEpoch(Number(m[4]), m[3]!, m[2]!, m[5]!, m[6]!, m[7]!);
  m = RFC_850.exec(text);
  if (m !== null) return toEpoch(fullYear(Number(m[4]), now), m[3]!, m[2]!, m[5]!, m[6]!, m[7]!);
  m = ASCTIME.exec(text);
  if (m !== null) return toEpoch(Number(m[7]), m[2]!, m[3]!, m[4]!, m[5]!, m[6]!);
  return undefined;
}

/**
 * RFC 9110 §5.6.7: a two-digit year that would be more than 50 years in the future means the
 * most recent past year with those digits.
 */
function fullYear(twoDigits: number, now: number): number {
  const current = Number.isFinite(now) ? new Date(now).getUTCFullYear() : 1970;
  let year = current - (current % 100) + twoDigits;
  if (year > current + 50) year -= 100;
  return year;
}

function toEpoch(
  year: number,
  monthName: string,
  dayText: string,
  hourText: string,
  minuteText: string,
  secondText: string,
): number | undefined {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  const day = Number(dayText.trim());
  const hour = Number(hourText);
  const minute = Number(minuteText);
  // 60 is a leap second (RFC 9110 §5.6.7 allows it); it reads as the next minute's first second.
  const second = Number(secondText);
  if (hour > 23 || minute > 59 || second > 60 || day < 1) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  // An impossible day (31 Feb) rolls over into the next month: reject it.
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}
