import type { CacheRequest } from '@larder/http';
import type { Request } from 'express';

/**
 * Translates an Express request into the engine's {@link CacheRequest}. The path comes from
 * `req.originalUrl` so a router-mounted `responseCache` keys on the full path; the host is read
 * lazily because Express parses it (and `X-Forwarded-Host` under `trust proxy`) on every access.
 */
export function toCacheRequest(req: Request): CacheRequest {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return {
    method: req.method,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    headers: req.headers,
    get host() {
      return req.host;
    },
  };
}
