/**
 * Parse, format and merge `Cache-Control` (RFC 9111 §5.2), request and response directives alike.
 * Written by hand: the npm parsers either drop unknown extensions, split inside quoted field lists,
 * or throw on odd input, and none formats durations.
 */
import { type Duration, parseDuration } from '@larder/core';
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

/** The largest delta-seconds a recipient keeps; larger values clamp to it (RFC 9111 §1.2.2). */
export const MAX_DELTA_SECONDS = 2147483648;

/**
 * Parsed `Cache-Control` directives. Numbers are delta-seconds, clamped at
 * {@link MAX_DELTA_SECONDS}; an invalid number reads as 0, i.e. "stale" (RFC 9111 §4.2.1).
 * `noCache` and `private` are `true` when unqualified, or the lower-case field names they list.
 */
export interface CacheControl {
  maxAge?: number;
  sMaxAge?: number;
  noCache?: true | string[];
  noStore?: true;
  noTransform?: true;
  mustRevalidate?: true;
  proxyRevalidate?: true;
  mustUnderstand?: true;
  private?: true | string[];
  public?: true;
  immutable?: true;
  staleWhileRevalidate?: number;
  staleIfError?: number;
  /** Request only (RFC 9111 §5.2.1.2): `true` when given without a value (any staleness). */
  maxStale?: number | true;
  /** Request only (RFC 9111 §5.2.1.3). */
  minFresh?: number;
  /** Request only (RFC 9111 §5.2.1.7). */
  onlyIfCached?: true;
  /** Unknown directives, lower-case names, first occurrence kept: a value, or `true` when bare. */
  extensions?: Record<string, string | true>;
}

/**
 * Directives to write. Numbers may be any {@link Duration} (seconds, `'5m'`, `'never'`); fractions
 * round down to whole seconds. `false` removes a directive when merging; `undefined` is ignored.
 */
export interface CacheControlInput {
  maxAge?: Duration | false | undefined;
  sMaxAge?: Duration | false | undefined;
  noCache?: boolean | readonly string[] | undefined;
  noStore?: boolean | undefined;
  noTransform?: boolean | undefined;
  mustRevalidate?: boolean | undefined;
  proxyRevalidate?: boolean | undefined;
  mustUnderstand?: boolean | undefined;
  private?: boolean | readonly string[] | undefined;
  public?: boolean | undefined;
  immutable?: boolean | undefined;
  staleWhileRevalidate?: Duration | false | undefined;
  staleIfError?: Duration | false | undefined;
  maxStale?: Duration | boolean | undefined;
  minFresh?: Duration | false | undefined;
  onlyIfCached?: boolean | undefined;
  extensions?: Record<string, string | boolean | undefined> | undefined;
}

type Kind = 'seconds' | 'flag' | 'list' | 'seconds-or-flag';
type Property = Exclude<keyof CacheControl, 'extensions'>;

/** Every registered directive, in the order `formatCacheControl` writes them. */
const DIRECTIVES: ReadonlyArray<readonly [name: string, property: Property, kind: Kind]> = [
  ['public', 'public', 'flag'],
  ['private', 'private', 'list'],
  ['no-cache', 'noCache', 'list'],
  ['no-store', 'noStore', 'flag'],
  ['no-transform', 'noTransform', 'flag'],
  ['must-revalidate', 'mustRevalidate', 'flag'],
  ['proxy-revalidate', 'proxyRevalidate', 'flag'],
  ['must-understand', 'mustUnderstand', 'flag'],
  ['max-age', 'maxAge', 'seconds'],
  ['s-maxage', 'sMaxAge', 'seconds'],
  ['max-stale', 'maxStale', 'seconds-or-flag'],
  ['min-fresh', 'minFresh', 'seconds'],
  ['only-if-cached', 'onlyIfCached', 'flag'],
  ['immutable', 'immutable', 'flag'],
  ['stale-while-revalidate', 'staleWhileRevalidate', 'seconds'],
  ['stale-if-error', 'staleIfError', 'seconds'],
];
const BY_NAME = new Map(DIRECTIVES.map((entry) => [entry[0], entry] as const));
const PROPERTIES = new Set<string>([...DIRECTIVES.map((entry) => entry[1]), 'extensions']);

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
    if (value === true) {
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
