// Setup-time checks for the views package: a bad option throws naming the function, the option
// and the value (printed with util.inspect), before any template renders.
import { inspect } from 'node:util';
import { type Duration, parseOptionalDuration } from '@larder/core';

/** Prints a bad value on one line for an error message. */
export function show(value: unknown): string {
  return inspect(value, { depth: 1, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 60 });
}

/** Returns `options` as an object (`{}` when absent); throws for a non-object or an unknown name. */
export function checkKnownOptions<T extends object>(
  options: T | undefined,
  known: readonly string[],
  fn: string,
): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${fn}: options must be an object, got ${show(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new TypeError(
        `${fn}: unknown option "${name}" (value ${show((options as Record<string, unknown>)[name])}; known: ${known.join(', ')})`,
      );
    }
  }
  return options;
}

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
    `${fn}: option "${option}" must be a non-empty string or an array of them, got ${show(value)}`,
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
    throw new TypeError(`${fn}: option "${option}" must be true or false, got ${show(value)}`);
  }
  return value;
}

/** A non-empty string option without `:` (it would blur key boundaries); a `TypeError` otherwise. */
export function checkName(value: unknown, fallback: string, fn: string, option: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[\w.-]+$/.test(value)) {
    throw new TypeError(
      `${fn}: option "${option}" must be a non-empty string of letters, digits, '_', '-' or '.', got ${show(value)}`,
    );
  }
  return value;
}
