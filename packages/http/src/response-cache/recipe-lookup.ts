import { codingVariant, KeyBuilder } from './cache-key.ts';
import { trace, tracing } from './debug.ts';
import { acceptedCodings } from './encoding.ts';
import { freshUntil, isCodingMarker, readEntry } from './entry.ts';
import { entryProblem } from './entry-validation.ts';
import { hitReply } from './hit-reply.ts';
import type { ResolvedOptions } from './options.ts';
import type { KeyRecipe } from './recipe.ts';
import { isThenable } from './storage.ts';
import type { CacheRequest, Reply } from './types.ts';
import { readRecipe } from './vary-recipe.ts';

/** What a front lookup found: the reply to write, or `undefined` to hand the request to the app. */
export type FrontAnswer = Reply | undefined;

const builders = new WeakMap<ResolvedOptions, KeyBuilder>();

function keysOf(options: ResolvedOptions): KeyBuilder {
  let keys = builders.get(options);
  if (keys === undefined) {
    keys = new KeyBuilder(options);
    builders.set(options, keys);
  }
  return keys;
}

/**
 * Looks a request up the way the layer that recorded `recipe` would, and answers only a fresh hit
 * (or its 304): anything else — a bypass rule, a miss, a stale entry, a fill in flight, an entry
 * that fails validation — is `undefined`, so the app and its own `responseCache` decide (and
 * count, refresh, coalesce, report). Never writes to the store. Synchronous when the store is.
 */
export function frontLookup(
  recipe: KeyRecipe,
  request: CacheRequest,
): FrontAnswer | Promise<FrontAnswer> {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const options = recipe.source.options;
  const headers = request.headers;
  // The same bypass rules as the engine: RFC 9111 §3.5 (Authorization), RFC 9110 §14.2 (Range).
  if (headers.authorization !== undefined && !options.allowAuthorization) return undefined;
  if (headers.range !== undefined) return undefined;
  const root = keysOf(options).keyOf(request);
  if (root === undefined) return undefined;
  return read(recipe, request, root, root, root);
}

/**
 * Reads `key`: `root` is the key built from the request (where a `Vary` recipe is kept), `base`
 * the key coding variants hang from (the root, or its learned variant). Plain arguments rather
 * than a record: the hit path allocates nothing it can avoid.
 */
function read(
  recipe: KeyRecipe,
  request: CacheRequest,
  root: string,
  base: string,
  key: string,
): FrontAnswer | Promise<FrontAnswer> {
  const space = recipe.space;
  // A fill or refresh in flight: the layer coalesces onto it, which only the app can do.
  if (space.flights.size !== 0 && space.flights.has(key)) return undefined;
  if (space.lookups.size !== 0 && space.lookups.has(key)) return undefined;
  const raw = space.storage.get(key);
  if (!isThenable(raw)) return decide(recipe, request, root, base, key, raw);
  return Promise.resolve(raw).then(
    (value) => decide(recipe, request, root, base, key, value),
    () => undefined,
  );
}

function decide(
  recipe: KeyRecipe,
  request: CacheRequest,
  root: string,
  base: string,
  key: string,
  raw: unknown,
): FrontAnswer | Promise<FrontAnswer> {
  if (raw === undefined) return undefined;
  if (key === base && isCodingMarker(raw)) {
    const codings = acceptedCodings(request.headers['accept-encoding']);
    return read(recipe, request, root, base, codingVariant(base, codings));
  }
  const entry = readEntry(raw);
  if (entry === undefined) {
    const fields = key === root ? readRecipe(raw) : undefined;
    if (fields === undefined) return undefined;
    const variant = recipe.source.variants.variantKey(root, fields, request.headers);
    return read(recipe, request, root, variant, variant);
  }
  const options = recipe.source.options;
  const now = options.now();
  // A bad entry is the layer's to delete and report; a stale one is its to refresh.
  if (!(now < freshUntil(entry)) || entryProblem(entry) !== undefined) return undefined;
  return hitReply(entry, request, now, options.names);
}

/**
 * Counts a reply of {@link frontLookup} that the front wrote, in the stats of the recipe's layer
 * (and logs it under `NODE_DEBUG=larder`).
 */
export function countFrontHit(recipe: KeyRecipe, request: CacheRequest, reply: Reply): void {
  if (tracing) trace('hit (front)', request);
  const counters = recipe.source.counters;
  counters.hits++;
  if (reply.status === 304) counters.notModified++;
}
