import type { Duration } from '@larder/core';
import type { ResponseCacheControl } from './types.ts';

/** Handler-level control of the response cache on a framework's response object (`res` or `ctx`). */
export interface ResponseCacheControlHelpers<T> {
  /**
   * The control of the response `responseCache` is filling for this request (tags, skip, ttl), or
   * `undefined` when no fill is active (a hit, a bypass, no `responseCache` mounted).
   */
  responseCacheControl(target: T): ResponseCacheControl | undefined;
  /** Adds tags to the entry this response will make (for `invalidateTags`); a no-op without a fill. */
  cacheTags(target: T, ...tags: string[]): void;
  /** Sends this response without storing it; a no-op without a fill. */
  skipCache(target: T): void;
  /** Stores this response for `duration` (seconds or a string such as `'5m'`) instead of the route's `ttl`; a no-op without a fill. */
  cacheTtl(target: T, duration: Duration): void;
}

/** Binds the handler-level helpers to where a framework keeps the fill's control. */
export function responseCacheControlHelpers<T>(
  control: (target: T) => ResponseCacheControl | undefined,
): ResponseCacheControlHelpers<T> {
  return {
    responseCacheControl: control,
    cacheTags: (target, ...tags) => control(target)?.tag(...tags),
    skipCache: (target) => control(target)?.skip(),
    cacheTtl: (target, duration) => control(target)?.ttl(duration),
  };
}
