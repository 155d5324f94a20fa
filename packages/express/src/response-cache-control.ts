import { type ResponseCacheControl, responseCacheControlHelpers } from '@larder/http';
import type { Response } from 'express';

/**
 * `responseCacheControl(res)`, `cacheTags(res, ...tags)`, `skipCache(res)` and
 * `cacheTtl(res, duration)`: handler-level control of the response `responseCache` is filling
 * (kept in `res.locals.responseCache`); each is a no-op without a fill. Documented on
 * `ResponseCacheControlHelpers` in `@larder/http`.
 *
 * @example cacheTags(res, 'posts', `post:${id}`);
 */
export const { responseCacheControl, cacheTags, skipCache, cacheTtl } =
  responseCacheControlHelpers<Response>(
    (res) => (res.locals as { responseCache?: ResponseCacheControl }).responseCache,
  );
