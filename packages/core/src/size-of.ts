/**
 * Estimates the bytes a value holds in memory, for the memory store's `maxBytes` budget: exact for
 * bytes, an upper bound for strings, a bounded walk for objects.
 *
 * - `Buffer`, typed arrays, `DataView`, `ArrayBuffer`: `byteLength`.
 * - strings: 2 bytes per UTF-16 code unit (V8 keeps a string as 1 or 2 bytes per unit; this is the
 *   upper bound and costs O(1), where an exact UTF-8 length would scan the string).
 * - numbers, booleans, `null`, `undefined`, symbols, functions: 8; bigints: 16.
 * - arrays, `Map`, `Set` and plain or class objects: 16 per object plus 8 per slot plus the size of
 *   each key (for objects and maps) and each value, visiting at most 1 000 values; anything past
 *   that budget counts 8 bytes. Shared and circular references count once.
 *
 * @example sizeOf(Buffer.alloc(1024)) // 1024
 */
export function sizeOf(value: unknown): number {
  return estimate(value, { budget: MAX_VISITS, seen: undefined });
}

const MAX_VISITS = 1000;
const WORD = 8;
const OBJECT_HEADER = 16;

interface Walk {
  budget: number;
  seen: Set<object> | undefined;
}

function estimate(value: unknown, walk: Walk): number {
  walk.budget -= 1;
  switch (typeof value) {
    case 'string':
      return value.length * 2;
    case 'bigint':
      return 16;
    case 'object':
      return value === null ? WORD : estimateObject(value, walk);
    default:
      return WORD;
  }
}

function estimateObject(value: object, walk: Walk): number {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
  if (walk.budget <= 0) return WORD;
  walk.seen ??= new Set();
  if (walk.seen.has(value)) return WORD;
  walk.seen.add(value);
  let total = OBJECT_HEADER;
  let left: number;
  if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
    left = Array.isArray(value) ? value.length : value.size;
    for (const item of value) {
      if (walk.budget <= 0) break;
      total += WORD + estimate(item, walk);
      left -= 1;
    }
  } else {
    const keys = Object.keys(value);
    left = keys.length;
    for (const k of keys) {
      if (walk.budget <= 0) break;
      total += WORD + k.length * 2 + estimate((value as Record<string, unknown>)[k], walk);
      left -= 1;
    }
  }
  // Past the visit budget each remaining slot counts as a pointer plus a small value.
  return total + left * 2 * WORD;
}
