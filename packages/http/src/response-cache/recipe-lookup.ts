import { codingVariant, KeyBuilder } from './cache-key.ts';
import { acceptedCodings } from './encoding.ts';
import { freshUntil, isCodingMarker, readEntry } from './entry.ts';
import { entryProblem } from './entry-validation.ts';
import type { ResolvedOptions } from './options.ts';
import type { KeyRecipe } from './recipe.ts';
import { replyFromEntry } from './replay.ts';
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

/** Where a lookup stands: the request, its recipe, the key built from it and the key read. */
interface Step {
  readonly recipe: KeyRecipe;
  readonly request: CacheRequest;
  readonly root: string;
  /** The key coding variants hang from: the root, or its learned (Vary) variant. */
  readonly base: string;
  readonly key: string;
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
  return read({ recipe, request, root, base: root, key: root });
}

function read(step: Step): FrontAnswer | Promise<FrontAnswer> {
  const space = step.recipe.space;
  // A fill or refresh in flight: the layer coalesces onto it, which only the app can do.
  if (space.flights.size !== 0 && space.flights.has(step.key)) return undefined;
  if (space.lookups.size !== 0 && space.lookups.has(step.key)) return undefined;
  const raw = space.storage.get(step.key);
  if (!isThenable(raw)) return decide(step, raw);
  return Promise.resolve(raw).then(
    (value) => decide(step, value),
    () => undefined,
  );
}

function decide(step: Step, raw: unknown): FrontAnswer | Promise<FrontAnswer> {
  if (raw === undefined) return undefined;
  const request = step.request;
  if (step.key === step.base && isCodingMarker(raw)) {
    const codings = acceptedCodings(request.headers['accept-encoding']);
    return read({ ...step, key: codingVariant(step.base, codings) });
  }
  const entry = readEntry(raw);
  if (entry === undefined) {
    const fields = step.key === step.root ? readRecipe(raw) : undefined;
    if (fields === undefined) return undefined;
    const key = step.recipe.source.variants.variantKey(step.root, fields, request.headers);
    return read({ ...step, base: key, key });
  }
  const source = step.recipe.source;
  const now = source.options.now();
  // A bad entry is the layer's to delete and report; a stale one is its to refresh.
  if (entryProblem(entry) !== undefined || !(now < freshUntil(entry))) return undefined;
  return replyFromEntry(entry, request, now, 'HIT', undefined, source.options.names, true);
}

/** Counts a reply of {@link frontLookup} that the front wrote, in the stats of the recipe's layer. */
export function countFrontHit(recipe: KeyRecipe, reply: Reply): void {
  const counters = recipe.source.counters;
  counters.hits++;
  if (reply.status === 304) counters.notModified++;
}
