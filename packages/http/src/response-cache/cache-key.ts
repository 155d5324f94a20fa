import { createHash } from 'node:crypto';
import { LanguageKeyer } from './language.ts';
import type { ResolvedOptions } from './options.ts';
import type { CacheRequest, HeaderValue } from './types.ts';

// Key layout: prefix + path + SEP + query + SEP + host + SEP + language + SEP + headers (the base
// key), and for a response that varies by content coding, base + SEP + codings (see codingVariant).
// The path comes first and unhashed so that a key prefix finds every variant of a path (every
// query, host, language, header value and coding) and every path under a path prefix, which is
// how invalidatePath and invalidatePrefix work on any store that can clear by prefix, across
// processes, without an index. Raw paths and header values cannot hold the control characters
// used as separators (Node's parser refuses them), so components cannot run into each other.
const SEP = '\u0000';
const FIELD = '\u0001';
/** Marks a hashed component; it never occurs in a raw component, so a hash cannot equal one. */
const HASHED = '\u0002';
/** True when a text holds one of the separator characters (U+0000 to U+0002). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) <= 2) return true;
  return false;
}
/** Longest path kept verbatim; the rest becomes a hash, so prefix invalidation sees this much. */
const PATH_LIMIT = 512;
/** Longest other component kept verbatim. */
const COMPONENT_LIMIT = 256;
/** Longest raw query string considered at all; longer ones bypass the cache. */
const QUERY_LIMIT = 16_384;
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_.-]{0,252})|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/;

function hash(text: string): string {
  return HASHED + createHash('sha256').update(text).digest('base64url');
}

/** A non-path component, verbatim when short and free of separators, hashed otherwise. */
function component(text: string): string {
  return text.length <= COMPONENT_LIMIT && !hasControl(text) ? text : hash(text);
}

/**
 * The key segment for a path (or a custom key), such that the segment of a prefix of the path is
 * a prefix of the segment of the path, up to {@link PATH_LIMIT}. `undefined` for a path holding a
 * control character (never a real request).
 */
function pathSegment(path: string): string | undefined {
  if (hasControl(path)) return undefined;
  return path.length <= PATH_LIMIT ? path : path.slice(0, PATH_LIMIT) + hash(path);
}

/** The key prefix that every variant of a path (or custom key) starts with. */
export function pathScope(prefix: string, path: string): string | undefined {
  const segment = pathSegment(path);
  return segment === undefined ? undefined : prefix + segment + SEP;
}

/** The key prefix that every path starting with `pathPrefix` starts with (over-covering past the limit). */
export function pathPrefixScope(prefix: string, pathPrefix: string): string {
  if (pathPrefix.length > PATH_LIMIT) return prefix + pathPrefix.slice(0, PATH_LIMIT) + HASHED;
  return prefix + pathPrefix;
}

function decode(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Like node:querystring and qs, a malformed escape stays as written, so the key sees what the app sees.
    return spaced;
  }
}

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be URI-encoded; hash it so it still has one distinct spelling.
    return hash(text);
  }
}

/**
 * The query component: parameters decoded, optionally filtered by an allow-list, stably sorted by
 * name (repeated names keep their order, which an app reading arrays depends on) and re-encoded,
 * so `?b=2&a=1` and `?a=1&b=%32` share an entry while `?a=1%262` and `?a=1&2` do not.
 * `undefined` when the query is too long to be worth keying.
 */
export function canonicalQuery(
  raw: string,
  mode: boolean | ReadonlySet<string>,
): string | undefined {
  if (mode === false || raw === '') return '';
  if (raw.length > QUERY_LIMIT) return undefined;
  const pairs: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    if (mode !== true && !mode.has(name)) continue;
    pairs.push([name, eq === -1 ? '' : decode(part.slice(eq + 1))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '';
  for (const [name, value] of pairs)
    out += `${out === '' ? '' : '&'}${encode(name)}=${encode(value)}`;
  return component(out);
}

function headerText(value: HeaderValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number'
        ? String(value)
        : value.join(', ');
  // RFC 9111 §4.1: values that differ only in whitespace select the same response.
  return text.trim().replace(/[ \t]+/g, ' ');
}

/** Builds cache keys for one response cache, per its resolved options. */
export class KeyBuilder {
  readonly #options: ResolvedOptions;
  readonly #languages: LanguageKeyer | undefined;
  /** Canonical forms of recent query strings (bounded), so repeated queries skip the parse. */
  readonly #queries = new Map<string, string | undefined>();

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#languages = options.language ? new LanguageKeyer(options.languages) : undefined;
  }

  #query(raw: string): string | undefined {
    const mode = this.#options.query;
    if (raw === '' || mode === false) return '';
    if (raw.length > 256) return canonicalQuery(raw, mode);
    let query = this.#queries.get(raw);
    if (query === undefined) {
      query = canonicalQuery(raw, mode);
      if (this.#queries.size >= 1000) this.#queries.clear();
      this.#queries.set(raw, query);
    }
    return query;
  }

  /**
   * The base storage key of a request (without the content-coding part), or `undefined` when it cannot be keyed safely (a custom key
   * declined it, an invalid host, an absurd query): such requests bypass the cache. Never throws
   * on client input.
   */
  keyOf(request: CacheRequest): string | undefined {
    const o = this.#options;
    let head: string | undefined;
    let query: string | undefined = '';
    if (o.key !== undefined) {
      const custom = o.key(request);
      if (typeof custom !== 'string') return undefined;
      head = pathSegment(custom);
    } else {
      head = pathSegment(request.path);
      query = this.#query(request.query);
    }
    if (head === undefined || query === undefined) return undefined;
    let host = '';
    if (o.host) {
      // Only the framework's trusted host: a raw forwarded header would let any client write
      // entries for another host (RFC 9111 §7.1 cache poisoning).
      host = (request.host ?? '').toLowerCase();
      if (!HOST.test(host)) return undefined;
    }
    let language = '';
    if (this.#languages !== undefined) {
      const header = request.headers['accept-language'];
      language = component(
        this.#languages.choose(typeof header === 'string' ? header : headerText(header)),
      );
    }
    let fields = '';
    for (const name of o.headers) {
      const text = headerText(request.headers[name]);
      // An absent field only matches an absent field (RFC 9111 §4.1), so it differs from an empty one.
      fields += text === undefined ? FIELD : `${FIELD}=${component(text)}`;
    }
    return `${o.prefix}${head}${SEP}${query}${SEP}${host}${SEP}${language}${SEP}${fields}`;
  }
}

/**
 * The key of the variant of `base` for clients accepting the content codings `codings` (the bit
 * mask of `acceptedCodings`): where a response that varies by coding is stored, so a compressed
 * body only reaches clients that accepted its coding (RFC 9110 §12.5.3) while any number of
 * `Accept-Encoding` spellings share a handful of entries.
 */
export function codingVariant(base: string, codings: number): string {
  return `${base}${SEP}${codings}`;
}
