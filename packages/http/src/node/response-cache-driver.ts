import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  CacheRequest,
  Decision,
  Fill,
  OutgoingHeaders,
  Reply,
  ResponseCacheControl,
  ResponseCacheEngine,
} from '../response-cache/types.ts';
import { refreshDetached } from './detached-request.ts';
import { hideValidators } from './headers.ts';
import { adoptRefresh, countOnce, markFilling, type Refreshing, roleOf } from './request-marks.ts';

/**
 * What a server supplies to the response-cache driver: how to read its request, write a reply,
 * pass headers on, lend handler-level control, run the rest of the app, capture what the handler
 * answers, and run the app again for a background refresh. `C` is the server's per-request value
 * (Express `req`, Koa `ctx`, a Node `req`), `N` what runs the rest of the app (`next`, or the `res`).
 */
export interface ResponseCachePort<C, N> {
  /** The Node request under `c` (marks for nested instances and refreshes live on it). */
  request(c: C): IncomingMessage;
  /** The engine's view of the request. */
  cacheRequest(c: C): CacheRequest;
  /** The URL a background refresh runs the app with (the original URL, before any mount). */
  url(c: C): string;
  /** Writes a hit, a 304 or a stale entry. */
  serve(c: C, next: N, reply: Reply): void;
  /** Sets the engine's status headers on the response the app is about to make (a bypass). */
  passHeaders(c: C, next: N, headers: OutgoingHeaders): void;
  /** Hands the fill's control to the handler (`cacheTags`, `skipCache`, `cacheTtl`). */
  lend(c: C, next: N, control: ResponseCacheControl): void;
  /** Runs the rest of the app untouched. */
  next(c: C, next: N): Promise<void> | undefined;
  /** Runs the rest of the app and feeds what the handler answers to `steps.fill` (see {@link FillSteps}). */
  capture(c: C, next: N, steps: FillSteps): Promise<void> | undefined;
  /** A refresh this instance took over has nothing to do: end the detached request here, writing nothing. */
  halt(c: C, next: N): void;
  /** The engine failed unexpectedly (it does not on store failures): hand the error to the app. */
  fail(c: C, next: N, error: unknown): Promise<void> | undefined;
  /**
   * Runs the whole app once more for `copy` (a detached GET, marked as a refresh), writing to
   * `res`, which reaches no socket; resolves when the app is done, rejects with its error.
   */
  rerun(c: C, copy: IncomingMessage, res: ServerResponse): unknown;
}

/** A fill in progress, as the driver hands it to {@link ResponseCachePort.capture}. */
export interface FillSteps {
  /** The engine's fill: call `respond`, `fail` or `abandon` once. */
  readonly fill: Fill;
  /** A background refresh: the response reaches no client, and nothing is written to one. */
  readonly detached: boolean;
  /** True once a nested instance took the request over: the capture must stand aside. */
  readonly aside: boolean;
  /** The handler is done (answered or threw): puts the validators back, drops the filling mark. */
  end(): void;
  /** Registers what makes the capture a pass-through when a nested instance takes over. */
  onAside(release: () => void): void;
}

/** A `responseCache` middleware's body, over any port: `undefined` when it finished synchronously. */
export type ResponseCacheDrive<C, N> = (c: C, next: N) => Promise<void> | undefined;

/**
 * The response cache's per-request lifecycle, written once for every server: which of nested
 * instances handles a request (the innermost; its options win, one entry is made, the request is
 * counted once), the fill steps (hide validators, run the handler, capture, decide on the head
 * actually written, restore), and the stale-while-revalidate refresh (the app run again, detached,
 * by the instance whose entry is stale; a nested instance it reaches takes it over).
 */
export function responseCacheDriver<C, N>(
  engine: ResponseCacheEngine,
  port: ResponseCachePort<C, N>,
): ResponseCacheDrive<C, N> {
  function drive(c: C, next: N): Promise<void> | undefined {
    const req = port.request(c);
    const role = roleOf(req, engine);
    if (role.kind === 'client') {
      const decision = engine.handle(port.cacheRequest(c));
      if (!(decision instanceof Promise)) return act(c, next, req, decision);
      return decision.then(
        (d) => act(c, next, req, d),
        (error: unknown) => port.fail(c, next, error),
      );
    }
    if (role.kind === 'not-mine') return port.next(c, next);
    if (role.kind === 'own-refresh') return fill(c, next, role.mark.fill, role.mark);
    return takeOver(c, next, role.mark);
  }

  function act(c: C, next: N, req: IncomingMessage, decision: Decision): Promise<void> | undefined {
    countOnce(req, engine, decision);
    if (decision.kind === 'serve') {
      port.serve(c, next, decision.reply);
      const refresh = decision.refresh;
      if (refresh !== undefined) {
        refreshDetached(req, port.url(c), engine, refresh, (copy, res) => port.rerun(c, copy, res));
      }
      return undefined;
    }
    if (decision.kind === 'pass') {
      port.passHeaders(c, next, decision.headers);
      return port.next(c, next);
    }
    return fill(c, next, decision.fill, undefined);
  }

  /** An app-wide instance's refresh reached this route-level one, which takes it over. */
  function takeOver(c: C, next: N, mark: Refreshing): Promise<void> | undefined {
    const adopt = (decision: Decision): Promise<void> | undefined => {
      // The refresh is not a client request: the outer instance counted the client's.
      engine.withdraw(decision);
      const adopted = adoptRefresh(mark, engine, decision);
      if (adopted !== undefined) return fill(c, next, adopted, mark);
      port.halt(c, next);
      return undefined;
    };
    const decision = engine.handle(port.cacheRequest(c));
    if (!(decision instanceof Promise)) return adopt(decision);
    return decision.then(adopt, (error: unknown) => port.fail(c, next, error));
  }

  /** Runs the handler to feed `raw`; `mark` is set for a background refresh, settled with the fill. */
  function fill(c: C, next: N, raw: Fill, mark: Refreshing | undefined): Promise<void> | undefined {
    const req = port.request(c);
    const restore = hideValidators(req);
    let release: (() => void) | undefined;
    const steps: FillSteps & { aside: boolean } = {
      fill: mark === undefined ? raw : settling(raw, mark),
      detached: mark !== undefined,
      aside: false,
      end() {
        restore();
        unmark();
      },
      onAside(fn) {
        release = fn;
      },
    };
    const unmark = markFilling(req, () => {
      steps.aside = true;
      steps.end();
      release?.();
      raw.abandon('superseded');
    });
    port.lend(c, next, raw.control);
    return port.capture(c, next, steps);
  }

  return drive;
}

/** `fill`, marking the refresh settled on its outcome (a refresh no instance settled is abandoned). */
function settling(fill: Fill, mark: Refreshing): Fill {
  return {
    control: fill.control,
    maxBodySize: fill.maxBodySize,
    complete(response) {
      mark.settled = true;
      return fill.complete(response);
    },
    respond(response) {
      mark.settled = true;
      return fill.respond(response);
    },
    fail(error) {
      mark.settled = true;
      return fill.fail(error);
    },
    abandon(reason) {
      mark.settled = true;
      return fill.abandon(reason);
    },
  };
}
