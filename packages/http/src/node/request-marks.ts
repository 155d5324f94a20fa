import type { IncomingMessage } from 'node:http';
import type { Decision, Fill, ResponseCacheEngine } from '../response-cache/types.ts';

/** Set on a request while a `responseCache` fills it, so a nested (route-level) one can take over. */
export const activeFill = Symbol('larder.responseCache.active');
/** Set on a request once a `responseCache` counted its decision, so a nested one takes the count over. */
export const counted = Symbol('larder.responseCache.counted');
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

/** A Node request as the response-cache middleware marks it (Express `req`, Koa `ctx.req`). */
export interface MarkedRequest extends IncomingMessage {
  [activeFill]?: ActiveFill | undefined;
  [refreshing]?: Refreshing | undefined;
  [counted]?: Counted | undefined;
}

/** The decision an instance counted for a request, for {@link countOnce}. */
export interface Counted {
  readonly engine: ResponseCacheEngine;
  readonly decision: Decision;
}

/**
 * Counts `decision` of `engine` as the request's only count: an outer instance's count for the same
 * request (nested instances, the innermost's options win) is withdrawn, so the stats of all the
 * instances of an app add up to one count per request.
 */
export function countOnce(
  req: IncomingMessage,
  engine: ResponseCacheEngine,
  decision: Decision,
): void {
  const marked = req as MarkedRequest;
  const before = marked[counted];
  if (before !== undefined && before.engine !== engine) before.engine.withdraw(before.decision);
  // A reply ends the request: no instance after this one counts it.
  if (decision.kind !== 'serve') marked[counted] = { engine, decision };
  else if (before !== undefined) marked[counted] = undefined;
}

/** How one `responseCache` instance treats a request (see {@link roleOf}). */
export type RequestRole =
  | { readonly kind: 'client' }
  | { readonly kind: 'own-refresh'; readonly mark: Refreshing }
  | { readonly kind: 'take-over'; readonly mark: Refreshing }
  | { readonly kind: 'not-mine' };

const CLIENT: RequestRole = { kind: 'client' };
const NOT_MINE: RequestRole = { kind: 'not-mine' };

/**
 * How the instance with `engine` treats `req`: a client request; the background refresh it owns;
 * the refresh of an app-wide instance that reached it, a route-level one, which takes it over; or
 * the refresh of an instance further in, to let through. Before a client request or a take-over,
 * an outer instance filling the request stands aside: the innermost instance's options win.
 */
export function roleOf(req: IncomingMessage, engine: ResponseCacheEngine): RequestRole {
  const marked = req as MarkedRequest;
  const mark = marked[refreshing];
  if (mark !== undefined && mark.engine === engine) {
    mark.reached = true;
    return { kind: 'own-refresh', mark };
  }
  if (mark !== undefined && !mark.reached) return NOT_MINE;
  marked[activeFill]?.standAside();
  return mark === undefined ? CLIENT : { kind: 'take-over', mark };
}

/**
 * Marks `req` as filled by one instance, so an inner one can make it `standAside`; returns the
 * function that removes the mark (when it is still this one).
 */
export function markFilling(req: IncomingMessage, standAside: () => void): () => void {
  const marked = req as MarkedRequest;
  const active: ActiveFill = { standAside };
  marked[activeFill] = active;
  return () => {
    if (marked[activeFill] === active) marked[activeFill] = undefined;
  };
}

/**
 * A route-level `responseCache` reached by the background refresh of an app-wide one takes it over,
 * as on a client request the route's options win: the outer fill is abandoned as superseded and
 * `engine`'s own fill (a miss, or the refresh of its stale entry) replaces it. Returns that fill, or
 * `undefined` when `engine` has nothing to refresh (fresh already, or not cacheable): the refresh ends.
 */
export function adoptRefresh(
  mark: Refreshing,
  engine: ResponseCacheEngine,
  decision: Decision,
): Fill | undefined {
  const fill =
    decision.kind === 'fill'
      ? decision.fill
      : decision.kind === 'serve'
        ? decision.refresh
        : undefined;
  mark.fill.abandon('superseded');
  if (fill === undefined) {
    mark.settled = true;
    return undefined;
  }
  mark.engine = engine;
  mark.fill = fill;
  return fill;
}
