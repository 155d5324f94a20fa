// Setup-time checks shared by the store factories: a bad option throws naming the factory, the
// option and the value, before any entry is written.

/**
 * A count option (`maxEntries`, `maxBytes`): a positive safe integer or `Infinity`; `fallback`
 * when absent. Throws a `RangeError` naming `fn` and `option` otherwise.
 */
export function checkCount(
  value: number | undefined,
  fallback: number,
  fn: string,
  option: string,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !(value >= 1) ||
    (value !== Number.POSITIVE_INFINITY && !Number.isSafeInteger(value))
  ) {
    throw new RangeError(
      `${fn}: option "${option}" must be a positive integer or Infinity, got ${String(value)}`,
    );
  }
  return value;
}

/** A function option (`now`, `sizeOf`), passed through; a `TypeError` naming `fn` and `option` otherwise. */
export function checkFunction<T>(value: T | undefined, fn: string, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${fn}: option "${option}" must be a function, got ${typeof value}`);
  }
  return value;
}
