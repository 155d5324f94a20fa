import type { CacheRequest, HeaderRecord } from './types.ts';

/** Where a request's trusted host is read: a function, or an object with a `host` (getter), e.g. Express's `req` or Koa's `ctx`. */
export type HostSource = (() => string | undefined) | { readonly host?: string | undefined };

/**
 * A {@link CacheRequest} made per request on the hit path: a class, so the instances share one
 * shape and the host getter lives on the prototype (an object literal with a getter would make a
 * new function per request).
 */
class NodeCacheRequest implements CacheRequest {
  readonly path: string;
  readonly query: string;
  readonly #host: HostSource;

  constructor(
    readonly method: string,
    url: string,
    readonly headers: HeaderRecord,
    host: HostSource,
    readonly scope: object,
    readonly parseQuery: ((query: string) => unknown) | undefined,
    readonly effectiveUrl: string | undefined,
  ) {
    const q = url.indexOf('?');
    // A `#` ends the request target's query as the frameworks' URL parser (parseurl) reads it: what
    // follows is not part of what the handler sees (RFC 3986 §3.5).
    const hash = url.indexOf('#');
    if (q === -1 || (hash !== -1 && hash < q)) {
      this.path = hash === -1 ? url : url.slice(0, hash);
      this.query = '';
    } else {
      this.path = url.slice(0, q);
      this.query = hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash);
    }
    this.#host = host;
  }

  get host(): string | undefined {
    // Without X-Forwarded-Host, Express's `req.host` and Koa's `ctx.host` are the Host header
    // (on HTTP/1.1, where it is present): read it directly, skipping their trust-proxy checks.
    const headers = this.headers;
    if (headers['x-forwarded-host'] === undefined) {
      const host = headers.host;
      if (typeof host === 'string' && !host.includes('@') && !host.includes(',')) return host;
    }
    const source = this.#host;
    return typeof source === 'function' ? source() : source.host;
  }
}

/**
 * The engine's {@link CacheRequest} from what every framework has: the method, the original URL
 * (path and query, so a router-mounted `responseCache` keys on the full path), the header record,
 * where the framework's trusted host is read (a function, or an object whose `host` is read: read
 * only when host keying is on, since frameworks parse it, and `X-Forwarded-Host` behind a trusted
 * proxy, on every access), the application scope, the framework's query parser (the key holds
 * what it hands the handler), and the URL the handler will see when a middleware before the cache
 * rewrote it (`undefined` when it did not).
 */
export function toCacheRequest(
  method: string,
  url: string,
  headers: HeaderRecord,
  host: HostSource,
  scope: object,
  parseQuery?: (query: string) => unknown,
  effectiveUrl?: string,
): CacheRequest {
  return new NodeCacheRequest(method, url, headers, host, scope, parseQuery, effectiveUrl);
}

/**
 * The URL a handler sees when a middleware before the cache rewrote it, or `undefined` when it is
 * the original: `url` is the current (possibly mount-relative) URL, `base` the mount path a router
 * took off it. A router that strips its mount path and adds a leading `/` (`/api?x` seen as `/?x`
 * under `/api`) has not rewritten anything.
 */
export function rewrittenUrl(original: string, url: string, base: string): string | undefined {
  if (url === original) return undefined;
  const effective = base + url;
  if (effective === original) return undefined;
  if (url.startsWith('/') && base !== '' && base + url.slice(1) === original) return undefined;
  return effective;
}
