import { createHash } from 'node:crypto';
import { parse as parseQueryString } from 'node:querystring';
import { cookieComponent } from './cookies.ts';
import { HostKeyer } from './host.ts';
import { LanguageKeyer } from './language.ts';
import type { ResolvedOptions } from './options.ts';
import type { BypassReason, CacheRequest, HeaderValue } from './types.ts';

// Key layout: prefix + path + SEP + query + SEP + host + SEP + language + SEP + headers + SEP +
// cookies + SEP + effective URL (the base key); for a response whose Vary names other request
// fields, base + SEP + 'v' + their values (see vary-recipe.ts); and for a response that varies by
// content coding, that + SEP + codings (see codingVariant).
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

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be URI-encoded; hash it so it still has one distinct spelling.
    return hash(text);
  }
}

/** A parsed query value in one unambiguous spelling: object keys sorted, arrays in order. */
function stable(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const names = Object.keys(value).sort();
    return `{${names.map((n) => `${JSON.stringify(n)}:${stable((value as Record<string, unknown>)[n])}`).join(',')}}`;
  }
  return typeof value === 'undefined' ? 'u' : `${typeof value}:${String(value)}`;
}

/** What a query parser hands the handler: Express's `query parser` setting, Koa's `ctx.query`. */
export type QueryParser = (query: string) => unknown;

/**
 * The query component: the query string as the app's query parser reads it (`node:querystring`'s
 * `parse`, Express's default, unless another is given), optionally filtered by an allow-list of
 * top-level names, the names sorted (a repeated name's values keep their order, which an app
 * reading arrays depends on). So `?b=2&a=1` and `?a=1&b=%32` share an entry, while `?a=1%262` and
 * `?a=1&2`, or `?q=%41%` and `?q=%2541%25`, which the app reads differently, do not.
 * `undefined` when the query is too long to be worth keying or the parser fails on it.
 */
export function canonicalQuery(
  raw: string,
  mode: boolean | ReadonlySet<string>,
  parse: QueryParser = parseQueryString,
): string | undefined {
  if (mode === false || raw === '') return '';
  if (raw.length > QUERY_LIMIT) return undefined;
  let parsed: unknown;
  try {
    parsed = parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return parsed === undefined ? '' : undefined;
    let out = '';
    for (const name of Object.keys(parsed).sort()) {
      if (mode !== true && !mode.has(name)) continue;
      const value = (parsed as Record<string, unknown>)[name];
      // A plain string is spelled as in a URL; anything else (a list, a nested object) as JSON
      // after `~`, so `?a=1` and `?a[]=1`, which an extended parser reads apart, stay apart.
      const part = typeof value === 'string' ? `=${encode(value)}` : `~${encode(stable(value))}`;
      out += `${out === '' ? '' : '&'}${encode(name)}${part}`;
    }
    return component(out);
  } catch {
    // A custom parser that throws, or a value too deep to spell: not keyed, the request bypasses.
    return undefined;
  }
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
  readonly #hosts: HostKeyer;
  /** Canonical forms of recent query strings (bounded), per query parser, so repeated queries skip the parse. */
  readonly #queries = new WeakMap<QueryParser, Map<string, string | undefined>>();
  #lastParser: QueryParser | undefined;
  #lastQueries: Map<string, string | undefined> | undefined;
  /** Why the last {@link keyOf} returned `undefined`. */
  refusal: BypassReason = 'key';

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#languages = options.language ? new LanguageKeyer(options.languages) : undefined;
    this.#hosts = new HostKeyer(options.hosts);
  }

  #query(raw: string, parse: QueryParser): string | undefined {
    const mode = this.#options.query;
    if (raw === '' || mode === false) return '';
    if (raw.length > 256) return canonicalQuery(raw, mode, parse);
    let memo = parse === this.#lastParser ? this.#lastQueries : this.#queries.get(parse);
    if (memo === undefined) {
      memo = new Map();
      this.#queries.set(parse, memo);
    }
    this.#lastParser = parse;
    this.#lastQueries = memo;
    let query = memo.get(raw);
    if (query === undefined && !memo.has(raw)) {
      query = canonicalQuery(raw, mode, parse);
      if (memo.size >= 1000) memo.clear();
      memo.set(raw, query);
    }
    return query;
  }

  /**
   * The base storage key of a request (without the learned-Vary and content-coding parts), or
   * `undefined` when it must not be keyed (then {@link refusal} says why: a custom key declined,
   * a malformed or unlisted host, a cookie the route does not accept, an absurd query): such
   * requests bypass the cache. Never throws on client input.
   */
  keyOf(request: CacheRequest): string | undefined {
    const o = this.#options;
    const headers = request.headers;
    let cookies = '';
    if (headers.cookie !== undefined) {
      const component = cookieComponent(headers.cookie, o.cookies);
      if (component === undefined) return this.#refuse('cookie');
      // Keyed cookie values hold separators: always hashed.
      if (component !== '') cookies = hash(component);
    }
    let head: string | undefined;
    let query: string | undefined = '';
    if (o.key !== undefined) {
      const custom = o.key(request);
      if (typeof custom !== 'string') return this.#refuse('key');
      head = pathSegment(custom);
    } else {
      head = pathSegment(request.path);
      query = this.#query(request.query, request.parseQuery ?? parseQueryString);
    }
    if (head === undefined || query === undefined) return this.#refuse('key');
    let host = '';
    if (o.host) {
      // Only the framework's trusted host: a raw forwarded header would let any client write
      // entries for another host (RFC 9111 §7.1 cache poisoning).
      const trusted = this.#hosts.keyOf(request.host);
      if (trusted === undefined) return this.#refuse('host');
      host = trusted;
    }
    let language = '';
    if (this.#languages !== undefined) {
      const header = headers['accept-language'];
      language = component(
        this.#languages.choose(typeof header === 'string' ? header : headerText(header)),
      );
    }
    let fields = '';
    for (const name of o.headers) {
      const text = headerText(headers[name]);
      // An absent field only matches an absent field (RFC 9111 §4.1), so it differs from an empty one.
      fields += text === undefined ? FIELD : `${FIELD}=${component(text)}`;
    }
    // A middleware before the cache rewrote the URL: the handler answers for the effective one,
    // the key keeps the original first (for invalidation) and adds the effective one.
    const effective = request.effectiveUrl === undefined ? '' : component(request.effectiveUrl);
    return `${o.prefix}${head}${SEP}${query}${SEP}${host}${SEP}${language}${SEP}${fields}${SEP}${cookies}${SEP}${effective}`;
  }

  #refuse(reason: BypassReason): undefined {
    this.refusal = reason;
    return undefined;
  }
}

/** Normalises a request header value as a key component (see {@link headerText}). */
export function headerComponent(value: HeaderValue | undefined): string | undefined {
  const text = headerText(value);
  return text === undefined ? undefined : component(text);
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

/**
 * The key of the variant of `base` selected by the values of the request fields a response's
 * `Vary` names (`values`, one component per field, see vary-recipe.ts). The `v` tells it apart
 * from a coding variant, whose component is a number.
 */
export function learnedVariant(base: string, values: string): string {
  return `${base}${SEP}v${values}`;
}
