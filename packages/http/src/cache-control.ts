/**
 * Parse, format and merge `Cache-Control` (RFC 9111 §5.2), request and response directives alike.
 * Written by hand: the npm parsers either drop unknown extensions, split inside quoted field lists,
 * or throw on odd input, and none formats durations.
 */
import { type Duration, parseDuration } from '@larder/core';
import {
  BY_NAME,
  type CacheControl,
  type CacheControlInput,
  DIRECTIVES,
  MAX_DELTA_SECONDS,
  PROPERTIES,
} from './cache-control-directives.ts';
import {
  headerText,
  isQuotable,
  isToken,
  quote,
  splitList,
  tokenOrQuoted,
  trimOws,
  unquote,
} from './header-syntax.ts';
import type { HeaderValue } from './response-cache/types.ts';

export type { CacheControl, CacheControlInput } from './cache-control-directives.ts';
export { MAX_DELTA_SECONDS } from './cache-control-directives.ts';

/**
 * Parses a `Cache-Control` field (one value or several header lines) into directives; never
 * throws. Names are case-insensitive (RFC 9111 §5.2); a duplicated number keeps its first
 * occurrence and duplicated lists merge (RFC 9111 §4.2.1); an invalid number reads as 0 (stale).
 *
 * @example parseCacheControl('public, Max-Age=60, no-cache="Set-Cookie"')
 * // { public: true, maxAge: 60, noCache: ['set-cookie'] }
 */
export function parseCacheControl(value: HeaderValue | undefined): CacheControl {
  const text = headerText(value);
  const out: Record<string, unknown> = {};
  if (text === undefined) return out as CacheControl;
  const extensions = new Map<string, string | true>();
  for (const member of splitList(text)) {
    const eq = member.indexOf('=');
    const name = (eq === -1 ? member : trimOws(member.slice(0, eq))).toLowerCase();
    if (!isToken(name)) continue;
    const hasArgument = eq !== -1;
    const argument = hasArgument ? unquote(trimOws(member.slice(eq + 1))) : undefined;
    const known = BY_NAME.get(name);
    if (known === undefined) {
      if (extensions.has(name)) continue;
      if (!hasArgument) extensions.set(name, true);
      else if (argument !== undefined && isQuotable(argument)) extensions.set(name, argument);
      continue;
    }
    const [, property, kind] = known;
    if (kind === 'flag') {
      out[property] = true; // an argument on a flag is meaningless; the directive still applies
    } else if (kind === 'list') {
      out[property] = mergeList(
        out[property] as true | string[] | undefined,
        hasArgument,
        argument,
      );
    } else if (out[property] === undefined) {
      // RFC 9111 §4.2.1: with duplicates, use the first occurrence.
      out[property] =
        kind === 'seconds-or-flag' && !hasArgument ? true : readDeltaSeconds(argument);
    }
  }
  if (extensions.size > 0) out.extensions = Object.fromEntries(extensions);
  return out as CacheControl;
}

/** delta-seconds = 1*DIGIT (RFC 9111 §1.2.2); invalid → 0 ("stale", §4.2.1); overflow clamps. */
function readDeltaSeconds(argument: string | undefined): number {
  if (argument === undefined || !/^[0-9]+$/.test(argument)) return 0;
  const digits = argument.replace(/^0+(?=.)/, '');
  if (digits.length > 10) return MAX_DELTA_SECONDS;
  return Math.min(Number(digits), MAX_DELTA_SECONDS);
}

/** Qualified `no-cache`/`private` lists merge; the unqualified form is the more restrictive and wins. */
function mergeList(
  current: true | string[] | undefined,
  hasArgument: boolean,
  argument: string | undefined,
): true | string[] {
  if (current === true) return true;
  const names = hasArgument && argument !== undefined ? fieldNames(argument) : [];
  // An empty or unreadable list is not a valid qualified form: treat it as unqualified.
  if (names.length === 0) return true;
  return [...new Set([...(current ?? []), ...names])];
}

function fieldNames(argument: string): string[] {
  return splitList(argument)
    .map((name) => name.toLowerCase())
    .filter(isToken);
}

/**
 * Formats directives as a `Cache-Control` value in a stable order with lower-case names; durations
 * may be strings (`'5m'`). Returns `''` when nothing is set.
 *
 * @param caller - the public function named in error messages
 * @throws RangeError for a negative or unparseable duration; TypeError for an invalid field or extension name
 * @example formatCacheControl({ public: true, maxAge: '5m' }) // 'public, max-age=300'
 */
export function formatCacheControl(
  directives: CacheControlInput,
  caller = 'formatCacheControl',
): string {
  if (directives === null || typeof directives !== 'object') {
    throw new TypeError(`${caller}: directives must be an object, got ${String(directives)}`);
  }
  const input = directives as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!PROPERTIES.has(key)) {
      throw new TypeError(`${caller}: unknown directive "${key}" (use camelCase, e.g. "maxAge")`);
    }
  }
  const parts: string[] = [];
  for (const [name, property, kind] of DIRECTIVES) {
    const value = input[property];
    if (value === undefined || value === false) continue;
    if (value === true && kind === 'seconds') {
      // delta-seconds directives have no bare form (RFC 9111 §5.2, RFC 5861 §3).
      throw new TypeError(`${caller}: "${property}" must be a duration, got true`);
    } else if (value === true) {
      parts.push(name);
    } else if (kind === 'list') {
      parts.push(formatList(name, value, caller, property));
    } else if (kind === 'flag') {
      throw new TypeError(`${caller}: "${property}" must be a boolean, got ${String(value)}`);
    } else {
      const seconds = parseDuration(value as Duration, caller, property);
      parts.push(`${name}=${Math.min(Math.floor(seconds), MAX_DELTA_SECONDS)}`);
    }
  }
  parts.push(...formatExtensions(directives.extensions, caller));
  return parts.join(', ');
}

function formatList(name: string, value: unknown, caller: string, property: string): string {
  if (!Array.isArray(value)) {
    throw new TypeError(`${caller}: "${property}" must be a boolean or a list of field names`);
  }
  const names = [...new Set(value.map((field) => String(field).toLowerCase()))];
  for (const field of names) {
    if (!isToken(field)) {
      throw new TypeError(`${caller}: "${property}" lists an invalid field name ${quote(field)}`);
    }
  }
  return names.length === 0 ? name : `${name}=${quote(names.join(', '))}`;
}

function formatExtensions(extensions: CacheControlInput['extensions'], caller: string): string[] {
  if (extensions === undefined) return [];
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [rawName, value] of Object.entries(extensions)) {
    const name = rawName.toLowerCase();
    if (value === undefined || value === false || seen.has(name)) continue;
    if (!isToken(name) || BY_NAME.has(name)) {
      throw new TypeError(
        `${caller}: extension name ${quote(rawName)} must be a token that is not a registered directive`,
      );
    }
    if (typeof value === 'string' && !isQuotable(value)) {
      throw new TypeError(`${caller}: extension "${name}" has a value that cannot be sent`);
    }
    seen.add(name);
    parts.push(value === true ? name : `${name}=${tokenOrQuoted(String(value))}`);
  }
  return parts;
}

/**
 * Merges directives into an existing `Cache-Control` value: each given directive replaces the one
 * of the same name, `false` removes it, `public` and `private` exclude each other, and every other
 * existing directive (extensions included) is kept.
 *
 * @param caller - the public function named in error messages
 * @example mergeCacheControl('private, max-age=60', { public: true, maxAge: 30 }) // 'public, max-age=30'
 */
export function mergeCacheControl(
  existing: HeaderValue | undefined,
  directives: CacheControlInput,
  caller = 'mergeCacheControl',
): string {
  if (directives === null || typeof directives !== 'object') {
    throw new TypeError(`${caller}: directives must be an object, got ${String(directives)}`);
  }
  const merged: Record<string, unknown> = { ...parseCacheControl(existing) };
  if (directives.public) delete merged.private;
  if (directives.private) delete merged.public;
  for (const [key, value] of Object.entries(directives)) {
    if (value !== undefined && key !== 'extensions') merged[key] = value;
  }
  if (directives.extensions !== undefined) {
    merged.extensions = { ...(merged.extensions as object), ...lowerKeys(directives.extensions) };
  }
  return formatCacheControl(merged as CacheControlInput, caller);
}

function lowerKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
