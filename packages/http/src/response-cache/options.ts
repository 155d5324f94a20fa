import {
  type Clock,
  checkOptions,
  type Duration,
  describeValue,
  isStore,
  optionNames,
  parseDuration,
  type Store,
} from '@larder/core';
import type { StatusNames } from './cache-status.ts';
import { type CookiePolicy, cookiePolicy } from './cookies.ts';
import { type HostPolicy, hostPolicy } from './host.ts';
import type { BypassReason, CacheRequest, ResponseCacheOptions } from './types.ts';

/** The function name every option error carries (the adapters expose the same options). */
export const FN = 'responseCache';

/** {@link ResponseCacheOptions} after validation: every duration in seconds, every default filled in. */
export interface ResolvedOptions {
  readonly store: Store | undefined;
  readonly ttl: number;
  /** `true`, `false`, or the allow-listed parameter names. */
  readonly query: boolean | ReadonlySet<string>;
  readonly language: boolean;
  /** The app's languages as given (original case), or `undefined` to key on the client's own choice. */
  readonly languages: readonly string[] | undefined;
  readonly host: boolean;
  /** The host allow-list (lower-case), or `undefined` for any host. */
  readonly hosts: HostPolicy | undefined;
  /** Which request cookies the route tolerates, ignores or keys on. */
  readonly cookies: CookiePolicy;
  /** Most variants (learned from the response's `Vary`) stored per key, per process. */
  readonly maxVariants: number;
  /** Keyed request header names, lower-case, sorted, without duplicates. */
  readonly headers: readonly string[];
  readonly key: ((request: CacheRequest) => string | undefined) | undefined;
  readonly tags: readonly string[] | ((request: CacheRequest) => readonly string[]);
  readonly maxBodySize: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  readonly coalesceTimeout: number;
  readonly storeTimeout: number;
  /** Lower-case header name, or `undefined` when switched off. */
  readonly statusHeader: string | undefined;
  /** Both status headers' names (`statusHeader` and `cacheStatusHeader`). */
  readonly names: StatusNames;
  readonly onBypass: ((reason: BypassReason, request: CacheRequest) => void) | undefined;
  readonly allowAuthorization: boolean;
  readonly allowPrivate: boolean;
  readonly prefix: string;
  readonly onError: ((error: Error) => void) | undefined;
  readonly now: Clock;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DEFAULT_MAX_BODY = 1_048_576;
const DEFAULT_MAX_VARIANTS = 100;
/** Every option name; the compiler insists that it lists each key of ResponseCacheOptions. */
const KNOWN = optionNames<ResponseCacheOptions>({
  store: true,
  ttl: true,
  query: true,
  language: true,
  languages: true,
  host: true,
  hosts: true,
  cookies: true,
  maxVariants: true,
  headers: true,
  key: true,
  tags: true,
  maxBodySize: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  coalesceTimeout: true,
  storeTimeout: true,
  statusHeader: true,
  cacheStatusHeader: true,
  onBypass: true,
  allowAuthorization: true,
  allowPrivate: true,
  prefix: true,
  onError: true,
  now: true,
});

/**
 * Validates {@link ResponseCacheOptions} once, at setup; a bad value throws a `TypeError` or
 * `RangeError` naming `responseCache`, the option and the value.
 */
export function resolveOptions(options?: ResponseCacheOptions): ResolvedOptions {
  // Also catches `app.use(responseCache)` (the factory mounted uncalled) on its first request.
  const o = checkOptions(options, KNOWN, FN);
  const languages = optionalList(o.languages, 'languages', (v) => v.length > 0);
  const ttl = positive(o.ttl ?? 60, 'ttl');
  const statusHeader = headerName(o.statusHeader, 'statusHeader', 'X-Cache');
  const cacheStatusHeader = headerName(o.cacheStatusHeader, 'cacheStatusHeader', 'Cache-Status');
  if (statusHeader !== undefined && statusHeader === cacheStatusHeader) {
    throw new TypeError(
      `${FN}: options "statusHeader" and "cacheStatusHeader" must differ, both are ${describe(statusHeader)}`,
    );
  }
  const headers = optionalList(o.headers, 'headers', (v) => TOKEN.test(v)) ?? [];
  return {
    store: storeOption(o.store),
    ttl,
    query: queryOption(o.query),
    language: bool(o.language, 'language', false) || languages !== undefined,
    languages,
    host: bool(o.host, 'host', true),
    hosts: hostPolicy(o.hosts, FN),
    cookies: cookiePolicy(o.cookies, FN),
    maxVariants: countOption(o.maxVariants, 'maxVariants', DEFAULT_MAX_VARIANTS),
    headers: [...new Set(headers.map((h) => h.toLowerCase()))].sort(),
    key: fnOption(o.key, 'key'),
    tags: tagsOption(o.tags),
    maxBodySize: sizeOption(o.maxBodySize),
    staleWhileRevalidate: parseDuration(o.staleWhileRevalidate ?? 0, FN, 'staleWhileRevalidate'),
    staleIfError: parseDuration(o.staleIfError ?? 0, FN, 'staleIfError'),
    coalesceTimeout: parseDuration(o.coalesceTimeout ?? 10, FN, 'coalesceTimeout'),
    storeTimeout: positive(o.storeTimeout ?? 1, 'storeTimeout'),
    statusHeader,
    names: { short: statusHeader, standard: cacheStatusHeader },
    onBypass: fnOption(o.onBypass, 'onBypass'),
    allowAuthorization: bool(o.allowAuthorization, 'allowAuthorization', false),
    allowPrivate: bool(o.allowPrivate, 'allowPrivate', false),
    prefix: prefixOption(o.prefix),
    onError: fnOption(o.onError, 'onError'),
    now: fnOption(o.now, 'now') ?? Date.now,
  };
}

function positive(value: Duration, option: string): number {
  const seconds = parseDuration(value, FN, option);
  if (seconds === 0) {
    throw new RangeError(
      `${FN}: option "${option}" must be greater than 0, got ${describe(value)}`,
    );
  }
  return seconds;
}

function storeOption(store: unknown): Store | undefined {
  if (store === undefined || isStore(store)) return store;
  throw new TypeError(
    `${FN}: option "store" must be a Store (an object with get, set and delete), got ${describe(store)}`,
  );
}

function queryOption(query: unknown): boolean | ReadonlySet<string> {
  if (query === undefined) return true;
  if (typeof query === 'boolean') return query;
  const names = optionalList(query, 'query', (v) => v.length > 0);
  return new Set(names);
}

function tagsOption(tags: unknown): ResolvedOptions['tags'] {
  if (tags === undefined) return [];
  if (typeof tags === 'function') return tags as (request: CacheRequest) => readonly string[];
  return optionalList(tags, 'tags', (v) => v.length > 0) ?? [];
}

function sizeOption(size: unknown): number {
  if (size === undefined) return DEFAULT_MAX_BODY;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(
      `${FN}: option "maxBodySize" must be a non-negative integer (bytes), got ${describe(size)}`,
    );
  }
  return size;
}

/** A status header's name, lower-case, or `undefined` for `false` (switched off). */
function headerName(value: unknown, option: string, fallback: string): string | undefined {
  const name = value ?? fallback;
  if (name === false) return undefined;
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new TypeError(
      `${FN}: option "${option}" must be a header name or false, got ${describe(name)}`,
    );
  }
  return name.toLowerCase();
}

function countOption(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `${FN}: option "${option}" must be a positive integer, got ${describe(value)}`,
    );
  }
  return value;
}

function prefixOption(prefix: unknown): string {
  if (prefix === undefined) return 'larder:rc:';
  // A NUL would make keys ambiguous: it is the key's component separator.
  if (typeof prefix !== 'string' || prefix.includes('\u0000')) {
    throw new TypeError(
      `${FN}: option "prefix" must be a string without NUL characters, got ${describe(prefix)}`,
    );
  }
  return prefix;
}

function optionalList(
  value: unknown,
  option: string,
  valid: (item: string) => boolean,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${FN}: option "${option}" must be an array of strings, got ${describe(value)}`,
    );
  }
  for (const item of value) {
    if (typeof item !== 'string' || !valid(item)) {
      throw new TypeError(
        `${FN}: option "${option}" contains an invalid entry ${describe(item)} in ${describe(value)}`,
      );
    }
  }
  return [...value];
}

function bool(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${FN}: option "${option}" must be a boolean, got ${describe(value)}`);
  }
  return value;
}

function fnOption<T>(value: T | undefined, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${FN}: option "${option}" must be a function, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return describeValue(value);
}
