// Setup-time checks for the views package's own option kinds (core's checkOptions covers the names):
// a bad value throws naming the function, the option and the value, before any template renders.
import { type Duration, describeValue, parseOptionalDuration } from '@larder/core';

/** A duration option in seconds, `undefined` when absent; a `RangeError` naming `fn` otherwise. */
export function checkDuration(value: unknown, fn: string, option: string): number | undefined {
  return parseOptionalDuration(value as Duration | undefined, fn, option);
}

/** A tag list: a string (one tag) or an array of non-empty strings; a `TypeError` naming `fn` otherwise. */
export function checkTagList(value: unknown, fn: string, option: string): readonly string[] {
  if (value === undefined) return [];
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value) && value.every((tag) => typeof tag === 'string' && tag !== '')) {
    return value as string[];
  }
  throw new TypeError(
    `${fn}: option "${option}" must be a non-empty string or an array of them, got ${describeValue(value)}`,
  );
}

/** A boolean option with its default; a `TypeError` naming `fn` otherwise. */
export function checkBoolean(
  value: unknown,
  fallback: boolean,
  fn: string,
  option: string,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(
      `${fn}: option "${option}" must be true or false, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A non-empty string option without `:` (it would blur key boundaries); a `TypeError` otherwise. */
export function checkName(value: unknown, fallback: string, fn: string, option: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[\w.-]+$/.test(value)) {
    throw new TypeError(
      `${fn}: option "${option}" must be a non-empty string of letters, digits, '_', '-' or '.', got ${describeValue(value)}`,
    );
  }
  return value;
}
