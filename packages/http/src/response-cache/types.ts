/**
 * The contract between the framework-neutral response-cache engine and the Express and Koa
 * adapters. The adapters translate `req`/`res`/`ctx` into these plain records and write back the
 * replies the engine returns; every caching decision is made by the engine.
 */
import type { Clock, Duration, Store } from '@larder/core';
import type { CookieOption } from './cookies.ts';

/** Header values as Node keeps them; names are lower-case. */
export type HeaderValue = string | number | readonly string[];
export type HeaderRecord = Record<string, HeaderValue | undefined>;
/** Headers to write: lower-case names, a string or a list for repeated fields (Set-Cookie). */
export type OutgoingHeaders = Record<string, string | string[]>;

/** What an adapter tells the engine about an incoming request. */
export interface CacheRequest {
  /** Upper-case method, e.g. `'GET'`. */
  readonly method: string;
  /** The path without the query string, as received (not decoded). */
  readonly path: string;
  /** The raw query string without the leading `?`; `''` when there is none. */
  readonly query: string;
  /** The request headers, lower-case names (Node's `req.headers`). */
  readonly headers: HeaderRecord;
  /** The framework's trusted host (Express `req.host`, Koa `ctx.host`); only read when `host` keying is on. */
  readonly host?: string | undefined;
  /**
   * The path and query the handler will see, when a middleware before the cache rewrote the URL
   * (e.g. from `X-Original-URL`); absent when it is the original one. Both enter the key.
   */
  readonly effectiveUrl?: string | undefined;
  /**
   * The framework's query parser (Express's `query parser` setting, Koa's `ctx.query`): the key
   * holds what it hands the handler. @default `parse` of `node:querystring`
   */
  readonly parseQuery?: ((query: string) => unknown) | undefined;
  /**
   * The application the request belongs to (Express's root `app`, Koa's `ctx.app`), compared by
   * identity only. Without a `store` option each scope gets its own default memory store, so two
   * apps in one process never see each other's entries; omitted, one process-wide store is used.
   */
  readonly scope?: object | undefined;
}

/** A response captured by an adapter after the handler finished. */
export interface CapturedResponse {
  readonly status: number;
  /** Every header the handler set (`res.getHeaders()`), lower-case names. */
  readonly headers: HeaderRecord;
  /** The complete body bytes as the handler produced them (after any compression the adapter saw). */
  readonly body: Buffer;
}

/** What the adapter writes to the client. */
export interface Reply {
  readonly status: number;
  readonly headers: OutgoingHeaders;
  /** `undefined` for a 304 or a HEAD: write the headers and end without a body. */
  readonly body: Buffer | undefined;
}

/** Why a request was not served from or stored into the cache (counted per reason). */
export type BypassReason =
  | 'method'
  | 'authorization'
  | 'key'
  /** The request carries a cookie the route neither ignores nor keys (see the `cookies` option). */
  | 'cookie'
  /** The trusted host is missing, malformed, or not on the `hosts` allow-list. */
  | 'host'
  | 'range'
  | 'status'
  | 'set-cookie'
  /** RFC 9111 §5.2.2.5. */
  | 'no-store'
  /** Unqualified `private` (RFC 9111 §5.2.2.7), unless `allowPrivate`. */
  | 'private'
  /** Unqualified `no-cache` (RFC 9111 §5.2.2.4). */
  | 'no-cache'
  /** A `Cache-Control` member that cannot be read: refused rather than guessed (fail closed). */
  | 'unparseable-cache-control'
  /** `Vary: *` (RFC 9111 §4.1: it never matches). */
  | 'vary-star'
  /** `Vary: Cookie` or `Vary: Authorization`: the response is per user. */
  | 'vary-cookie'
  /** A `Vary` member that is not a field name (fail closed). */
  | 'unparseable-vary'
  /** The key already holds `maxVariants` variants learned from `Vary`. */
  | 'too-many-variants'
  /** A content coding the cache does not know, or one the client did not accept. */
  | 'content-encoding'
  | 'too-large'
  | 'skipped'
  /** An outer (app-wide) instance handed the request to an inner (route-level) one, which decides. */
  | 'superseded'
  | 'store-error'
  | 'uncapturable';

/**
 * Handler-level control of the response being filled: the same object on Express and Koa.
 * An adapter hands it to the handler (Express `res.locals.responseCache`, Koa `ctx.state.responseCache`).
 */
export interface ResponseCacheControl {
  /** Adds tags to the entry this response will make, for `invalidateTags`. */
  tag(...tags: string[]): void;
  /** Do not store this response (it is still sent). */
  skip(): void;
  /** Store this response for another duration than the route's `ttl`. */
  ttl(duration: Duration): void;
}

/**
 * A miss the adapter must fill: run the handler, capture its response, then call exactly one of
 * `complete`, `fail` or `abandon`.
 */
export interface Fill {
  readonly control: ResponseCacheControl;
  /** Bytes beyond which the adapter stops buffering, streams the rest and calls `abandon('too-large')`. */
  readonly maxBodySize: number;
  /**
   * The handler finished: decides whether to store, and returns what to send (with `X-Cache`,
   * `ETag`, `Last-Modified`, `Vary` added; a 304 when the request's validators match; a stale entry
   * when the handler answered 5xx within the stale-if-error window).
   */
  complete(response: CapturedResponse): Promise<Reply>;
  /**
   * As `complete`, but the store decision waits for {@link PendingReply.commit}: the adapter writes
   * the reply, then commits with the status and headers actually written, after every hook and
   * outer middleware (a session cookie added late keeps the response out of the cache, and the
   * requests waiting on this fill are released only then).
   */
  respond(response: CapturedResponse): Promise<PendingReply>;
  /**
   * The handler threw. Resolves a stale reply to send instead (stale-if-error), or `undefined`
   * when the adapter should let the error through.
   */
  fail(error: unknown): Promise<Reply | undefined>;
  /**
   * The response cannot be stored (too large, streamed past the limit, superseded by a route-level
   * `responseCache`). Waiters run the handler themselves. Returns headers to add if still possible.
   */
  abandon(reason: BypassReason): OutgoingHeaders;
}

/** A reply made by {@link Fill.respond}, whose store decision waits for the headers written. */
export interface PendingReply {
  readonly reply: Reply;
  /**
   * The status headers to set instead, when the headers as they stand (`written`, with `status`)
   * already forbid storing; `undefined` when they do not. Decides nothing: for a hook that can
   * still change the head (before it is written).
   */
  review(status: number, written: HeaderRecord): OutgoingHeaders | undefined;
  /** Stores the entry unless the status and headers actually written forbid it; releases the waiters. Once. */
  commit(status: number, written: HeaderRecord): void;
}

/** The engine's answer to a request. */
export type Decision =
  /** Not cacheable: run the handler untouched, adding `headers` (`X-Cache: BYPASS`). */
  | { readonly kind: 'pass'; readonly reason: BypassReason; readonly headers: OutgoingHeaders }
  /**
   * Answer with `reply` (a hit, a coalesced result, a stale entry, or a 304). When `refresh` is
   * present the entry is stale: run the handler detached from this client and feed `refresh`.
   */
  | { readonly kind: 'serve'; readonly reply: Reply; readonly refresh?: Fill }
  /** A miss: run the handler and feed `fill`. */
  | { readonly kind: 'fill'; readonly fill: Fill };

/** Counters on the response cache. */
export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stale: number;
  coalesced: number;
  notModified: number;
  stored: number;
  bypass: Partial<Record<BypassReason, number>>;
  storeErrors: number;
}

/** Options of `responseCache()` on Express and Koa (the very same type on both). */
export interface ResponseCacheOptions {
  /** Where entries live. @default one memory store per application (`defaultResponseStore(app)`), shared by its instances */
  store?: Store;
  /** How long an entry is fresh. @default 60 (seconds) */
  ttl?: Duration;
  /** Query in the key: `true` all parameters (sorted), `false` none, or an allow-list of names. @default true */
  query?: boolean | readonly string[];
  /** Key on the request's preferred language (Accept-Language), normalised. @default false */
  language?: boolean;
  /** Languages the app serves: the key uses the best match among them, or the first as the fallback. */
  languages?: readonly string[];
  /**
   * Key on the framework's trusted host (Express `req.host` under `trust proxy`, Koa `ctx.host`
   * under `app.proxy`), lower-cased, port kept; never a raw forwarded header. As Varnish's default
   * hash: two apps on one store, or one app under several host names, never share entries.
   * @default true
   */
  host?: boolean;
  /**
   * The host names the cache serves (`'example.com'` on any port, `'localhost:3000'` on that one);
   * a request for any other host bypasses the cache, so junk `Host` values make no entries.
   * @default undefined (any well-formed host)
   */
  hosts?: readonly string[];
  /**
   * What a request's `Cookie` header allows: `false` — a request with any cookie is neither
   * served from nor stored in the cache (as Varnish's built-in VCL); `true` — every cookie allowed,
   * none keyed; `{ ignore: ['_ga', '_ga_*'] }` — these cookies do not change the page (a trailing
   * `*` matches a prefix); `{ key: ['theme'] }` — these cookies' values select the page. Both lists
   * may be given; any other cookie bypasses. `Vary: Cookie` on a response refuses storing, except
   * on a route that keys cookies (it says Vary: Cookie itself).
   * @default false
   */
  cookies?: CookieOption;
  /**
   * Most variants stored per key for responses whose `Vary` names request fields (learned per
   * path, as Django's cache middleware does); beyond it a new variant is sent but not stored.
   * Counted per process. @default 100
   */
  maxVariants?: number;
  /** Request header names whose values enter the key (and the response's `Vary`). @default [] */
  headers?: readonly string[];
  /** A custom key; return `undefined` to bypass the cache for this request. Replaces path/query keying. */
  key?: (request: CacheRequest) => string | undefined;
  /** Tags given to every entry this middleware makes. @default [] */
  tags?: readonly string[] | ((request: CacheRequest) => readonly string[]);
  /** Largest body stored, in bytes; larger responses are sent normally and not stored. @default 1_048_576 */
  maxBodySize?: number;
  /** Serve a stale entry at once for this long after it expires while one refresh runs. @default 0 */
  staleWhileRevalidate?: Duration;
  /** Serve a stale entry for this long after it expires when the handler throws or answers 5xx. @default 0 */
  staleIfError?: Duration;
  /** How long a coalesced request waits for the leader before running the handler itself. @default 10 (seconds) */
  coalesceTimeout?: Duration;
  /** How long one store operation may take before the request carries on uncached. @default 1 (second) */
  storeTimeout?: Duration;
  /** Name of the short status header (`HIT`, `MISS`, `STALE`, `BYPASS`), or `false` to send none. @default 'X-Cache' */
  statusHeader?: string | false;
  /**
   * Name of the RFC 9211 status header (`Larder; hit; ttl=42`, `Larder; fwd=miss; stored`,
   * `Larder; fwd=bypass; detail=cookie`), or `false` to send none. @default 'Cache-Status'
   */
  cacheStatusHeader?: string | false;
  /**
   * Told each time a request is not served from the cache or its response is not stored, with the
   * reason (the same as `Cache-Status`'s `detail`); a throwing hook is ignored.
   */
  onBypass?: (reason: BypassReason, request: CacheRequest) => void;
  /** Serve and store requests that carry `Authorization` (only for responses that are the same for everyone). @default false */
  allowAuthorization?: boolean;
  /** Store responses marked `Cache-Control: private` (server-side only; the header is replayed as is). @default false */
  allowPrivate?: boolean;
  /** Prefix of every key this cache writes. @default 'larder:rc:' */
  prefix?: string;
  /** Told about every store failure; the request carries on uncached. */
  onError?: (error: Error) => void;
  /** The clock, epoch milliseconds. @default Date.now */
  now?: Clock;
}

/** Invalidation and counters, on the engine and on every `responseCache()` middleware. */
export interface ResponseCacheAdmin {
  /** Removes the entry stored under a key as returned by a `key` function (or the built-in key). */
  invalidate(key: string): Promise<void>;
  /** Removes every variant of a path: each query, language, host, and HEAD. */
  invalidatePath(path: string): Promise<void>;
  /** Removes every entry carrying any of these tags. */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** Removes every entry whose path starts with this prefix. */
  invalidatePrefix(pathPrefix: string): Promise<void>;
  /** Removes every entry this cache made. */
  clear(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): ResponseCacheStats;
}

/** The engine an adapter drives; `createResponseCache(options)` makes one per middleware. */
export interface ResponseCacheEngine extends ResponseCacheAdmin {
  /**
   * Decides what to do with a request. Answers synchronously when the store does (the memory
   * store's hit path allocates no promise; a tagged entry's stamps are checked through one).
   */
  handle(request: CacheRequest): Decision | Promise<Decision>;
  /**
   * Takes back what `handle` counted for `decision`, when another instance counts the same request
   * (a nested, route-level one handling it after this app-wide one): a bypass, a miss, or the stale
   * hit a background refresh is re-decided with.
   */
  withdraw(decision: Decision): void;
}
