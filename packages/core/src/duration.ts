import ms from 'ms';
import { describeValue } from './check-option.ts';

/**
 * A length of time: a number of seconds (fractions allowed), a string such as `'30s'`, `'5m'`,
 * `'1h'`, `'2 days'` or `'500ms'`, or `Infinity` / `'never'` for no expiry.
 * A bare numeric string (`'30'`) is read as seconds, like a number.
 */
export type Duration = number | string;

/**
 * Converts a {@link Duration} to seconds, throwing a `RangeError` that names the function, the
 * option and the value when it is negative, NaN or unparseable.
 *
 * @param value - the duration given by the caller
 * @param fn - the public function that received it, for the error message
 * @param option - the option name, for the error message
 * @returns seconds; `Infinity` for no expiry
 * @example parseDuration('5m', 'createCache', 'ttl') // 300
 */
export function parseDuration(value: Duration, fn: string, option: string): number {
  const seconds = toSeconds(value);
  if (seconds === undefined) {
    throw new RangeError(
      `${fn}: option "${option}" must be a non-negative duration (seconds, or a string such as '30s', '5m', '1h', 'never'), got ${describeValue(value)}`,
    );
  }
  return seconds;
}

/** Like {@link parseDuration}, but `undefined` passes through as `undefined`. */
export function parseOptionalDuration(
  value: Duration | undefined,
  fn: string,
  option: string,
): number | undefined {
  return value === undefined ? undefined : parseDuration(value, fn, option);
}

function toSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value >= 0 ? value : undefined; // NaN fails the comparison too
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === 'never' || text === 'Infinity') return Number.POSITIVE_INFINITY;
  // Any bare number is seconds ('30', '1.5', '.5'); only strings with a unit go to ms, which
  // would read a bare '.5' as milliseconds.
  if (/^(\d+\.?\d*|\.\d+)$/.test(text)) return Number(text);
  // ms parses unit strings ("5m", "2 days", "500ms") to milliseconds, and returns undefined otherwise.
  const millis = text.length > 0 && text.length <= 100 ? ms(text as ms.StringValue) : undefined;
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < 0) return undefined;
  return millis / 1000;
}
