import { createHash } from 'node:crypto';

// Keys longer than this are replaced by a hash, so that memcached's 250-byte limit and Redis memory
// are safe whatever the arguments; a hashed key opens with '#', an encoded one with '[', so the two
// forms never meet.
const MAX_KEY_LENGTH = 200;
const MAX_DEPTH = 32;

/**
 * Turns a memoized function's arguments into a key that is equal exactly when the arguments are
 * equal by value: every value carries its type (`1` ≠ `'1'`, `undefined` ≠ `null`), strings are
 * quoted (`f('a,b')` ≠ `f('a', 'b')`), plain objects are read with sorted keys (`{a, b}` =
 * `{b, a}`). Dates, Buffers and typed arrays, Maps, Sets and bigints are supported; functions,
 * symbols, class instances and cycles throw a `TypeError` naming `fnName`, because no key can be
 * derived from them safely (give memoize a `key` option instead).
 */
export function memoKey(args: readonly unknown[], fnName: string): string {
  const encoded = encode(args, fnName, 0, []);
  return encoded.length <= MAX_KEY_LENGTH
    ? encoded
    : `#${createHash('sha256').update(encoded).digest('base64url')}`;
}

function encode(value: unknown, fnName: string, depth: number, path: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // Object.is tells -0 from 0; String() alone would not.
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'bigint':
      return `i${value}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'object':
      return value === null ? 'z' : encodeObject(value, fnName, depth, path);
    default:
      throw unkeyable(fnName, typeof value);
  }
}

function encodeObject(value: object, fnName: string, depth: number, path: object[]): string {
  if (depth >= MAX_DEPTH || path.includes(value)) {
    throw new TypeError(
      `memoize(${fnName}): an argument is circular or nested deeper than ${MAX_DEPTH}; give memoize a "key" option`,
    );
  }
  path.push(value);
  const inner = (item: unknown) => encode(item, fnName, depth + 1, path);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map(inner).join(',')}]`;
  } else if (value instanceof Date) {
    out = `d${value.getTime()}`;
  } else if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    out = `b${value.constructor.name}:${bytes.toString('base64')}`;
  } else if (value instanceof Map) {
    const pairs = [...value].map(([k, v]) => `${inner(k)}:${inner(v)}`);
    out = `m{${pairs.sort().join(',')}}`;
  } else if (value instanceof Set) {
    out = `s{${[...value].map(inner).sort().join(',')}}`;
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw unkeyable(fnName, `a ${proto?.constructor?.name ?? 'class'} instance`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = `{${keys.map((k) => `${JSON.stringify(k)}:${inner(record[k])}`).join(',')}}`;
  }
  path.pop();
  return out;
}

function unkeyable(fnName: string, what: string): TypeError {
  return new TypeError(
    `memoize(${fnName}): cannot derive a cache key from ${what}; give memoize a "key" option`,
  );
}
