import type { CacheRequest, HeaderRecord } from './types.ts';

/**
 * The engine's {@link CacheRequest} from what every framework has: the method, the original URL
 * (path and query, so a router-mounted `responseCache` keys on the full path), the header record,
 * a function giving the framework's trusted host (read only when host keying is on, since
 * frameworks parse it, and `X-Forwarded-Host` behind a trusted proxy, on every access), and the
 * application scope.
 */
export function toCacheRequest(
  method: string,
  url: string,
  headers: HeaderRecord,
  host: () => string | undefined,
  scope: object,
): CacheRequest {
  const q = url.indexOf('?');
  return {
    method,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    headers,
    scope,
    get host() {
      return host();
    },
  };
}
