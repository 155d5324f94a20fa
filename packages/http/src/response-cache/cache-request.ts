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
  ) {
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? '' : url.slice(q + 1);
    this.#host = host;
  }

  get host(): string | undefined {
    const source = this.#host;
    return typeof source === 'function' ? source() : source.host;
  }
}

/**
 * The engine's {@link CacheRequest} from what every framework has: the method, the original URL
 * (path and query, so a router-mounted `responseCache` keys on the full path), the header record,
 * where the framework's trusted host is read (a function, or an object whose `host` is read: read
 * only when host keying is on, since frameworks parse it, and `X-Forwarded-Host` behind a trusted
 * proxy, on every access), and the application scope.
 */
export function toCacheRequest(
  method: string,
  url: string,
  headers: HeaderRecord,
  host: HostSource,
  scope: object,
): CacheRequest {
  return new NodeCacheRequest(method, url, headers, host, scope);
}
