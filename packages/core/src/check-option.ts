// Setup-time checks shared by every factory of every package: a bad option throws naming the
// function, the option and the value, before any entry is written or any request is served.
import { inspect } from 'node:util';

/**
 * Prints an option value for an error message: strings as JSON (cut at 60 characters), everything
 * else through `util.inspect` on one line (so an object shows its members, never `[object Object]`).
 *
 * @example describeValue({ ttl: 'x' }) // "{ ttl: 'x' }"
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  }
  return inspect(value, {
    depth: 1,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: 5,
    maxStringLength: 60,
  });
}

/**
 * The option names of an options type, checked by the compiler: the object must list every key of
 * `T` and nothing else, so adding an option to the type without adding it here fails to compile.
 *
 * @example const KNOWN = optionNames<MemoryStoreOptions>({ maxEntries: true, ttl: true, ... });
 */
export function optionNames<T extends object>(
  names: {
    readonly [K in keyof Required<T>]: true;
  },
): readonly string[] {
  return Object.keys(names);
}

/**
 * Checks an options argument once, at setup: `undefined` gives `{}`; anything but a plain object
 * throws a `TypeError`, and so does an option name not in `known` (naming `fn`, the option and the
 * closest known name). A request or Koa context in place of the options means the factory itself
 * was mounted (`app.use(responseCache)`) instead of its result: that throws saying to call it.
 *
 * @param options - the argument the factory received
 * @param known - every option name the factory reads (see {@link optionNames})
 * @param fn - the public function named in the message
 * @param path - prefix for nested options, such as `'regions.short_term.'`
 * @returns the options object, or `{}` when absent
 */
export function checkOptions<T extends object>(
  options: T | undefined,
  known: readonly string[],
  fn: string,
  path = '',
): T {
  if (options === undefined) return {} as T;
  if (looksLikeRequest(options)) {
    throw new TypeError(
      `${fn}: received a request instead of options: ${fn} is a factory, so mount what it returns, as in app.use(${fn}()), not app.use(${fn})`,
    );
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${fn}: ${path === '' ? 'options' : `option "${path.slice(0, -1)}"`} must be an object, got ${describeValue(options)}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      const near = closest(name, known);
      throw new TypeError(
        `${fn}: unknown option "${path}${name}"${near === undefined ? '' : ` (did you mean "${path}${near}"?)`}; ${known.length === 0 ? 'it takes none' : `known options: ${known.map((k) => path + k).join(', ')}`}`,
      );
    }
  }
  return options;
}

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
      `${fn}: option "${option}" must be a positive integer or Infinity, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A function option (`now`, `sizeOf`), passed through; a `TypeError` naming `fn` and `option` otherwise. */
export function checkFunction<T>(value: T | undefined, fn: string, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(
      `${fn}: option "${option}" must be a function, got ${describeValue(value)}`,
    );
  }
  return value;
}

// An Express request (and Node's IncomingMessage) or a Koa context: what a middleware receives.
function looksLikeRequest(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if ('req' in v && 'res' in v && 'app' in v) return true; // Koa: (ctx, next)
  return typeof v.method === 'string' && typeof v.url === 'string' && 'socket' in v; // Express: (req, res, next)
}

// The known name nearest to a misspelt one: same letters in another case, or at most two edits
// apart (Levenshtein), which catches 'tll', 'maxEntrys' and 'staleWhileRevalidat'.
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    const d = distance(name, candidate, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = row;
  }
  return previous[b.length]!;
}
