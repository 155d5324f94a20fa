import type { Fill, ResponseCacheEngine } from '@larder/http';

/** Set on a context while a `responseCache` fills it, so a nested (route-level) one can take over. */
export const activeFill = Symbol('larder.responseCache.active');
/** Set on the detached copy of a request that refreshes a stale entry in the background. */
export const refreshing = Symbol('larder.responseCache.refresh');

/** The fill an outer `responseCache` is running; `standAside` hands the request to an inner one. */
export interface ActiveFill {
  standAside(): void;
}

/**
 * The background refresh a detached request runs, and the engine that owns it. A route-level
 * `responseCache` that the refresh of an app-wide one reaches takes it over (replaces both).
 */
export interface Refreshing {
  engine: ResponseCacheEngine;
  fill: Fill;
  /** Set once the owner saw the request: an instance after it (route-level) takes over, one before it stands by. */
  reached: boolean;
  /** Set once the fill got its `complete`, `fail` or `abandon`. */
  settled: boolean;
}

/** A context as the response-cache middleware marks it. */
export interface MarkedContext {
  [activeFill]?: ActiveFill | undefined;
}

/** A request as the response-cache middleware marks it. */
export interface MarkedRequest {
  [refreshing]?: Refreshing | undefined;
}
