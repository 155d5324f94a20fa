import type { CacheRequest } from '@larder/http';
import type { Context } from 'koa';

/**
 * Translates a Koa context into the engine's {@link CacheRequest}. The path comes from
 * `ctx.originalUrl` so a mounted `responseCache` keys on the full path; the host is read lazily
 * because Koa parses it (and `X-Forwarded-Host` when `app.proxy` is on) on every access.
 */
export function toCacheRequest(ctx: Context): CacheRequest {
  const url = ctx.originalUrl;
  const q = url.indexOf('?');
  return {
    method: ctx.method,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    headers: ctx.req.headers,
    get host() {
      return ctx.host;
    },
  };
}
