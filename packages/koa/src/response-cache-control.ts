import type { Duration } from '@larder/core';
import type { ResponseCacheControl } from '@larder/http';
import type { Context } from 'koa';

/**
 * The control object of the response `responseCache` is filling for this request (tags, skip,
 * ttl), or `undefined` when no fill is active (a hit, a bypass, no `responseCache` mounted).
 *
 * @example
 * responseCacheControl(ctx)?.tag('posts');
 */
export function responseCacheControl(ctx: Context): ResponseCacheControl | undefined {
  return (ctx.state as { responseCache?: ResponseCacheControl }).responseCache;
}

/** Adds tags to the entry this response will make (for `invalidateTags`); a no-op without a fill. */
export function cacheTags(ctx: Context, ...tags: string[]): void {
  responseCacheControl(ctx)?.tag(...tags);
}

/** Sends this response without storing it; a no-op without a fill. */
export function skipCache(ctx: Context): void {
  responseCacheControl(ctx)?.skip();
}

/** Stores this response for `duration` (seconds or a string such as `'5m'`) instead of the route's `ttl`; a no-op without a fill. */
export function cacheTtl(ctx: Context, duration: Duration): void {
  responseCacheControl(ctx)?.ttl(duration);
}
