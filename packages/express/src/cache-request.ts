import { type CacheRequest, toCacheRequest } from '@larder/http';
import type { Application, Request } from 'express';

/**
 * Translates an Express request into the engine's {@link CacheRequest}: the path from
 * `req.originalUrl` (a router-mounted `responseCache` keys on the full path), the host from
 * `req.host` (trusted per the app's `trust proxy` setting), and as the scope the root app, so
 * every `responseCache` of one app (sub-apps included) shares its default store and no other app does.
 */
export function cacheRequestOf(req: Request): CacheRequest {
  return toCacheRequest(req.method, req.originalUrl, req.headers, req, rootApp(req.app));
}

/** The app at the root of `app`'s mounts (Express sets `parent` on an app mounted in another). */
export function rootApp(app: Application): object {
  let root = app as { parent?: object };
  while (root.parent !== undefined) root = root.parent;
  return root;
}
