import { type CacheRequest, rewrittenUrl, toCacheRequest } from '@larder/http';
import type { Application, Request } from 'express';

/**
 * Translates an Express request into the engine's {@link CacheRequest}: the path from
 * `req.originalUrl` (a router-mounted `responseCache` keys on the full path), the host from
 * `req.host` (trusted per the app's `trust proxy` setting, port kept), the app's `query parser`
 * (the key holds what `req.query` hands the handler), the URL a middleware before the cache
 * rewrote `req.url` to (also keyed), and as the scope the root app, so every `responseCache` of
 * one app (sub-apps included) shares its default store and no other app does.
 */
export function cacheRequestOf(req: Request): CacheRequest {
  const app = req.app;
  const original = req.originalUrl;
  const url = req.url;
  // The parser only matters for a query: a hit on a plain path skips the settings lookup. With
  // `query parser` off, `req.query` is empty but the handler may still read the raw URL: the
  // engine's default (node:querystring, Express's 'simple') keys the parameters then.
  const parser =
    original.indexOf('?') === -1
      ? undefined
      : (app.get('query parser fn') as ((query: string) => unknown) | undefined);
  return toCacheRequest(
    req.method,
    original,
    req.headers,
    req,
    rootApp(app),
    parser,
    url === original ? undefined : rewrittenUrl(original, url, req.baseUrl ?? ''),
  );
}

/** The app at the root of `app`'s mounts (Express sets `parent` on an app mounted in another). */
export function rootApp(app: Application): object {
  let root = app as { parent?: object };
  while (root.parent !== undefined) root = root.parent;
  return root;
}
