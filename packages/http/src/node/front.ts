import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { toCacheRequest } from '../response-cache/cache-request.ts';
import { type KeyRecipe, recipeBookOf } from '../response-cache/recipe.ts';
import { countFrontHit, type FrontAnswer, frontLookup } from '../response-cache/recipe-lookup.ts';
import type { CacheRequest, Reply } from '../response-cache/types.ts';
import { mergeVary } from '../vary.ts';

/** A Node request handler: what `http.createServer` takes, and what an app is called with. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of `cacheFront(app, options)`. */
export interface CacheFrontOptions {
  /**
   * Called after the front answered a request from the cache (status 200, or 304 for a matching
   * conditional request), for the logs and metrics the app's middleware no longer sees.
   * A throwing hook is ignored. @default undefined
   */
  onHit?: (req: IncomingMessage, status: number) => void;
  /**
   * Requests the front must always hand to the app (to keep a rate limiter, an access log or an
   * auth check on them): `true` passes the request through untouched. @default undefined
   */
  skip?: (req: IncomingMessage) => boolean;
  /**
   * A compression middleware runs outside the app's `responseCache` (so a hit the app serves is
   * compressed for clients that accept a coding): the front then answers only requests without
   * `Accept-Encoding`, adding `Vary: Accept-Encoding`, and hands the others to the app.
   * @default false
   */
  outerCompression?: boolean;
}

/** The handler `cacheFront` returns, with its own counters. */
export interface CacheFrontHandler extends NodeHandler {
  /** Requests answered by the front, and requests handed to the app, since it was made. */
  stats(): { hits: number; passed: number };
}

const KNOWN = new Set(['onHit', 'skip', 'outerCompression']);

/** Validates `cacheFront`'s options, throwing a `TypeError` naming `fn`, the option and the value. */
function checkOptions(fn: string, options: CacheFrontOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${fn}: options must be an object, got ${inspect(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new TypeError(`${fn}: unknown option ${inspect(name)}`);
  }
  for (const name of ['onHit', 'skip'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(`${fn}: option ${name} must be a function, got ${inspect(value)}`);
    }
  }
  const outer = options.outerCompression;
  if (outer !== undefined && typeof outer !== 'boolean') {
    throw new TypeError(`${fn}: option outerCompression must be a boolean, got ${inspect(outer)}`);
  }
}

/** The host the frameworks trust when `X-Forwarded-Host` is present: none, so the front passes. */
function noForwardedHost(): undefined {
  return undefined;
}

/**
 * The front of an application: answers fresh hits of the app's own `responseCache` layers before
 * the app runs, with the key recipes those layers recorded in `scope`'s book, and hands every other
 * request to `app` untouched. The framework ports (`cacheFront` of `@larder/express` and
 * `@larder/koa`) supply the app's handler and its scope.
 *
 * @param fn - the public name, for option errors
 * @param scope - the application scope the layers key with (`CacheRequest.scope`)
 * @param app - the app's Node handler, run for everything the front does not answer
 */
export function createCacheFront(
  fn: string,
  scope: object,
  app: NodeHandler,
  options: CacheFrontOptions = {},
): CacheFrontHandler {
  checkOptions(fn, options);
  const { onHit, skip } = options;
  const outerCompression = options.outerCompression === true;
  const book = recipeBookOf(scope);
  let hits = 0;
  let passed = 0;

  function pass(req: IncomingMessage, res: ServerResponse): void {
    passed++;
    app(req, res);
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    recipe: KeyRecipe,
    request: CacheRequest,
    found: FrontAnswer,
  ): void {
    if (found === undefined) {
      pass(req, res);
      return;
    }
    hits++;
    countFrontHit(recipe, request, found);
    writeHit(res, found);
    if (onHit !== undefined) {
      try {
        onHit(req, found.status);
      } catch {
        // A failing hook must not fail a reply already written.
      }
    }
  }

  function cacheFrontHandler(req: IncomingMessage, res: ServerResponse): void {
    if (skip !== undefined && skipped(skip, req)) {
      pass(req, res);
      return;
    }
    const recipe = book.recipeOf(pathOf(req.url ?? '/'));
    const request = recipe === undefined ? undefined : cacheRequestOf(req, scope, recipe);
    if (request === undefined || recipe === undefined) {
      pass(req, res);
      return;
    }
    const found = frontLookup(recipe, request);
    if (found instanceof Promise) {
      found.then(
        (reply) => answer(req, res, recipe, request, servable(req, reply, outerCompression)),
        () => pass(req, res),
      );
    } else answer(req, res, recipe, request, servable(req, found, outerCompression));
  }

  return Object.assign(cacheFrontHandler, { stats: () => ({ hits, passed }) });
}

/** The `skip` predicate's verdict; one that throws keeps the request on the app's own path. */
function skipped(skip: (req: IncomingMessage) => boolean, req: IncomingMessage): boolean {
  try {
    return skip(req);
  } catch {
    return true;
  }
}

/**
 * `reply` as the app would send it. With compression outside the app's cache, only a client that
 * accepts no coding gets the stored identity body from the front (the app compresses for the
 * others), and the reply says it varies by coding, as the app's does (RFC 9110 §12.5.5).
 */
function servable(req: IncomingMessage, reply: FrontAnswer, outer: boolean): FrontAnswer {
  if (reply === undefined || !outer) return reply;
  if (req.headers['accept-encoding'] !== undefined) return undefined;
  const vary = reply.headers.vary;
  const merged = mergeVary(vary, 'Accept-Encoding');
  if (merged === vary) return reply;
  return { ...reply, headers: { ...reply.headers, vary: merged } };
}

/** The path of a request target, as the engine splits it (before `?` or `#`). */
function pathOf(url: string): string {
  let end = url.length;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  return end === url.length ? url : url.slice(0, end);
}

/** The request as the recipe's layer keys it, or `undefined` when the front cannot key it. */
function cacheRequestOf(
  req: IncomingMessage,
  scope: object,
  recipe: KeyRecipe,
): CacheRequest | undefined {
  const headers = req.headers;
  // Headers that URL-rewriting middleware reads (the class behind CVE-2018-14773): the app may
  // answer such a request for another URL than the one the front would look up.
  if (headers['x-original-url'] !== undefined || headers['x-rewrite-url'] !== undefined) {
    return undefined;
  }
  const url = req.url ?? '/';
  const request = toCacheRequest(
    req.method ?? 'GET',
    url,
    headers,
    noForwardedHost,
    scope,
    recipe.parseQuery,
  );
  // A query the recorded layer never parsed: only the app knows its parser.
  if (request.query !== '' && recipe.parseQuery === undefined) return undefined;
  return request;
}

/** Writes a hit or a 304 in one go: the engine prepared every header. */
function writeHit(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
