import type { Duration } from '@larder/core';
import type { ResponseCacheControl } from '@larder/http';
import type { Response } from 'express';

/**
 * The control object of the response `responseCache` is filling for this request (tags, skip,
 * ttl), or `undefined` when no fill is active (a hit, a bypass, no `responseCache` mounted).
 *
 * @example
 * responseCacheControl(res)?.tag('posts');
 */
export function responseCacheControl(res: Response): ResponseCacheControl | undefined {
  return (res.locals as { responseCache?: ResponseCacheControl }).responseCache;
}

/** Adds tags to the entry this response will make (for `invalidateTags`); a no-op without a fill. */
export function cacheTags(res: Response, ...tags: string[]): void {
  responseCacheControl(res)?.tag(...tags);
}

/** Sends this response without storing it; a no-op without a fill. */
export function skipCache(res: Response): void {
  responseCacheControl(res)?.skip();
}

/** Stores this response for `duration` (seconds or a string such as `'5m'`) instead of the route's `ttl`; a no-op without a fill. */
export function cacheTtl(res: Response, duration: Duration): void {
  responseCacheControl(res)?.ttl(duration);
}
