import { createHash } from 'node:crypto';
import { describeValue } from '@larder/core';

/**
 * One part of a fragment key (the user key or a vary value) as text. Strings, numbers, booleans
 * and bigints print as themselves, dates as ISO strings, arrays part by part, plain objects as
 * JSON. `undefined` and `null` throw: a key that evaluates to nothing would make every render share
 * one entry (a misspelt variable in a template is the usual cause).
 */
export function keyPart(value: unknown, where: string, what: string): string {
  switch (typeof value) {
    case 'string':
      return encode(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      if (value === null) break;
      if (value instanceof Date) return encode(value.toISOString());
      if (Array.isArray(value)) return `[${value.map((v) => keyPart(v, where, what)).join(',')}]`;
      return encode(JSON.stringify(value));
    default:
      break;
  }
  throw new TypeError(
    `${where}: the ${what} evaluated to ${describeValue(value)}; a fragment key needs a defined value, or every render would share one entry`,
  );
}

// Percent-encoding keeps ':' and ',' (the separators) and '*' (a glob character in cache.clear)
// out of the parts, so one part's text can never look like a boundary.
function encode(text: string): string {
  return encodeURIComponent(text).replace(/\*/g, '%2A');
}

/**
 * A short digest of a template's source: fragments keyed with it are retired when the template
 * changes (a different source, a different key), without a purge.
 */
export function templateDigest(source: string): string {
  return createHash('sha256').update(source).digest('base64url').slice(0, 16);
}
