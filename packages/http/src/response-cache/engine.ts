import { codingVariant, KeyBuilder } from './cache-key.ts';
import { type CacheStatus, type Forward, forwardStatus, statusHeaders } from './cache-status.ts';
import { Flight, fillAcrossProcesses } from './coalesce.ts';
import { reportBypass, trace, tracing } from './debug.ts';
import { acceptedCodings } from './encoding.ts';
import {
  errorUntil,
  freshUntil,
  isCodingMarker,
  readEntry,
  refreshUntil,
  type StoredEntry,
} from './entry.ts';
import { entryProblem } from './entry-validation.ts';
import { CacheFill } from './fill.ts';
import type { FillContext, Lookup } from './fill-context.ts';
import { hitReply } from './hit-reply.ts';
import { Invalidator } from './invalidation.ts';
import { FN, type ResolvedOptions, resolveOptions } from './options.ts';
import { replyFromEntry } from './replay.ts';
import { Spaces } from './space.ts';
import { Counters } from './stats.ts';
import type { StorePolicy } from './storability.ts';
import { isThenable } from './storage.ts';
import type {
  BypassReason,
  CacheRequest,
  Decision,
  ResponseCacheEngine,
  ResponseCacheOptions,
  ResponseCacheStats,
} from './types.ts';
import { readRecipe, VaryKeyer } from './vary-recipe.ts';

/**
 * Creates the framework-neutral response-cache engine that the Express and Koa `responseCache()`
 * middleware drive: it keys requests, answers hits (and 304s) from the store, coalesces concurrent
 * misses, serves stale entries within their windows, decides what to store, and invalidates.
 * Options are validated here, once; a bad one throws naming `responseCache`, the option and the value.
 *
 * @example
 * const engine = createResponseCache({ ttl: '5m', query: ['page'], staleWhileRevalidate: '1m' });
 * const decision = await engine.handle({ method: 'GET', path: '/news', query: 'page=2', headers });
 */
export function createResponseCache(options?: ResponseCacheOptions): ResponseCacheEngine {
  return new ResponseCache(resolveOptions(options));
}

type Serve = Extract<Decision, { kind: 'serve' }>;

/** `Cache-Status` of a request answered by another request's fill (RFC 9211 §2.2 `collapsed`). */
const COLLAPSED = forwardStatus('uri-miss', false, 'collapsed');

class ResponseCache extends Invalidator implements ResponseCacheEngine, FillContext {
  readonly counters = new Counters();
  readonly policy: StorePolicy;
  readonly vary: readonly string[];
  readonly codedVary: readonly string[];
  readonly variants: VaryKeyer;
  readonly #spaces: Spaces;
  readonly #keys: KeyBuilder;
  readonly #coalesceMs: number;

  constructor(override readonly options: ResolvedOptions) {
    const spaces = new Spaces(options, (error) => {
      this.counters.storeErrors++;
      try {
        options.onError?.(error);
      } catch {
        // A throwing onError must not turn a contained store failure into a failed request.
      }
    });
    super(options, spaces);
    this.#spaces = spaces;
    this.#keys = new KeyBuilder(options);
    this.variants = new VaryKeyer(options.languages, options.maxVariants);
    this.#coalesceMs = options.coalesceTimeout * 1000;
    this.vary = [
      ...options.headers,
      ...(options.language ? ['accept-language'] : []),
      // Keyed cookies select the page: say so to caches downstream (RFC 9110 §12.5.5).
      ...(options.cookies.key.length > 0 ? ['cookie'] : []),
    ];
    this.codedVary = [...this.vary, 'accept-encoding'];
    this.policy = {
      // Accept-Encoding is keyed (as the set of accepted codings) for responses that vary by
      // coding, and the host when host keying is on.
      keyed: new Set([...this.codedVary, ...(options.host ? ['host'] : [])]),
      allowPrivate: options.allowPrivate,
      maxBodySize: options.maxBodySize,
    };
  }

  stats(): ResponseCacheStats {
    return this.counters.snapshot();
  }

  protected override fence(scope: string | undefined): void {
    this.variants.forget(scope);
    for (const space of this.#spaces.all()) {
      // Fills that began before this, in any cache on the store, will not store their response.
      space.fence.epoch++;
      for (const [key, flight] of space.flights) {
        if (scope === undefined ? flight.entry === undefined : !key.startsWith(scope)) continue;
        // A store clear may overtake a write still in progress: the fill deletes the key again once
        // the write settles. (A tagged write records the tag stamps before any later invalidation.)
        if (scope !== undefined) flight.fenced = true;
        space.flights.delete(key);
      }
    }
  }

  handle(request: CacheRequest): Decision | Promise<Decision> {
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return this.#pass('method', request);
    const headers = request.headers;
    // RFC 9111 §3.5: a response to an authorised request may be for that user only.
    if (headers.authorization !== undefined && !this.options.allowAuthorization) {
      return this.#pass('authorization', request);
    }
    // RFC 9110 §14.2: partial content is the handler's business; the cache stores whole bodies only.
    if (headers.range !== undefined) return this.#pass('range', request);
    const base = this.#keys.keyOf(request);
    if (base === undefined) return this.#pass(this.#keys.refusal, request);
    const codings = acceptedCodings(headers['accept-encoding']);
    const space = this.#spaces.of(request.scope);
    return this.#lookup({ request, space, root: base, base, codings, key: base });
  }

  withdraw(decision: Decision): void {
    const counters = this.counters;
    if (decision.kind === 'pass') counters.withdrawBypass(decision.reason);
    else if (decision.kind === 'fill') counters.misses--;
    else if (decision.refresh !== undefined) counters.stale--;
  }

  /** Reads `at.key`, after checking for a fill in flight; concurrent requests share one store read. */
  #lookup(at: Lookup): Decision | Promise<Decision> {
    const { space, key } = at;
    // The size checks skip hashing the key when nothing is in flight (the steady state of hits).
    const flight = space.flights.size === 0 ? undefined : space.flights.get(key);
    if (flight !== undefined) {
      const joined = this.#join(at, flight, this.options.now());
      if (joined !== undefined) return joined;
    }
    const pending = space.lookups.size === 0 ? undefined : space.lookups.get(key);
    if (pending !== undefined) return Promise.resolve(pending).then((raw) => this.#decide(at, raw));
    const raw = space.storage.get(key);
    if (!isThenable(raw)) return this.#decide(at, raw);
    space.lookups.set(key, raw);
    const done = () => space.lookups.delete(key);
    raw.then(done, done);
    return Promise.resolve(raw).then((value) => this.#decide(at, value));
  }

  /** After the store answered: a hit, a stale serve, a wait on someone else's fill, or a fill. */
  #decide(at: Lookup, raw: unknown): Decision | Promise<Decision> {
    // The base key says the response varies by coding: one more read, for this client's codings.
    if (at.key === at.base && isCodingMarker(raw)) return this.#variant(at);
    const now = this.options.now();
    const entry = readEntry(raw);
    if (entry === undefined && raw !== undefined && at.key === at.root) {
      // A response for this key said Vary on request fields: look up the variant this request's
      // values select (the recipe holds which fields).
      const recipe = readRecipe(raw);
      if (recipe !== undefined) return this.#lookup(this.#learned(at, recipe));
    }
    if (entry !== undefined) {
      const problem = entryProblem(entry);
      if (problem !== undefined) return this.#rejectEntry(at, problem);
      if (now < freshUntil(entry)) {
        this.counters.hits++;
        if (tracing) trace('hit', at.request);
        return this.#serve(entry, at.request, now, 'HIT');
      }
      if (now < refreshUntil(entry)) return this.#serveStale(at, entry, now, true);
    }
    // A fill may have started while the store was being read.
    const flight = at.space.flights.get(at.key);
    if (flight !== undefined) {
      const joined = this.#join(at, flight, now);
      if (joined !== undefined) return joined;
    }
    const fwd: Forward = entry !== undefined ? 'stale' : at.key === at.root ? 'uri-miss' : 'miss';
    const fallback = entry !== undefined && now < errorUntil(entry) ? entry : undefined;
    return this.#miss(at, fallback, true, fwd);
  }

  /**
   * An entry that must not be replayed (see `entryProblem`): reported through `onError`, deleted,
   * and treated as a miss.
   */
  #rejectEntry(at: Lookup, problem: string): Decision | Promise<Decision> {
    const error = new Error(
      `${FN}: entry under ${JSON.stringify(at.key)} not replayed: ${problem}`,
    );
    this.counters.storeErrors++;
    try {
      this.options.onError?.(error);
    } catch {
      // A throwing onError must not fail the request.
    }
    if (tracing) trace('bad entry', at.request, problem);
    const deleted = at.space.storage.delete(at.key);
    const flight = at.space.flights.get(at.key);
    if (flight !== undefined) {
      const joined = this.#join(at, flight, this.options.now());
      if (joined !== undefined) return joined;
    }
    const miss = this.#miss(at, undefined, true, 'miss');
    // The fill's write must land after the delete: a store may apply them out of order otherwise.
    return isThenable(deleted) ? Promise.resolve(deleted).then(() => miss) : miss;
  }

  /** A fill for `at`: leading a flight others may join, or on its own (`lead` false). */
  #miss(
    at: Lookup,
    fallback: StoredEntry | undefined,
    lead: boolean,
    fwd: Forward,
  ): Decision | Promise<Decision> {
    this.counters.misses++;
    if (tracing) trace(`miss (${fwd})`, at.request);
    // A HEAD response has no body to store; filling from it would poison the GET entry.
    if (at.request.method === 'HEAD') {
      return {
        kind: 'pass',
        reason: 'method',
        headers: statusHeaders(this.options.names, 'MISS', forwardStatus(fwd, false, 'method')),
      };
    }
    const now = this.options.now();
    // Recently uncacheable: run in parallel rather than queue behind a leader whose response
    // could not be shared anyway.
    let flight: Flight | undefined;
    if (lead && !at.space.missMemory.has(at.key, now)) {
      flight = new Flight(now, undefined, at.codings);
      at.space.flights.set(at.key, flight);
    }
    const fill = new CacheFill(this, at, flight, fallback, false, fwd);
    if (flight === undefined) return { kind: 'fill', fill };
    // Other processes sharing the store may be filling this key too: one fill for all of them.
    const joined = () => this.#join(at, flight, this.options.now());
    return fillAcrossProcesses(at, flight, this.#coalesceMs, { kind: 'fill', fill }, joined);
  }

  /** A request arriving while a fill or refresh for its key runs; `undefined` to carry on as if there were none. */
  #join(at: Lookup, flight: Flight, now: number): Decision | Promise<Decision> | undefined {
    const made = flight.entry;
    // The leader's response varies by request fields whose values differ here: another variant.
    const other = made === undefined ? undefined : this.#otherVariant(at, flight);
    if (other !== undefined) return this.#lookup(other);
    if (made !== undefined) {
      // The leader's entry, while its store write is still settling (a slow store): served only
      // while fresh, and only to a client that accepts what the leader's client accepted.
      if (!(now < freshUntil(made))) at.space.flights.delete(at.key);
      else if (flight.serves(at.codings)) {
        this.counters.coalesced++;
        return this.#serve(made, at.request, now, 'HIT', COLLAPSED);
      } else if (at.key === at.base) return this.#variant(at);
      return undefined;
    }
    if (flight.settled || now - flight.started > this.#coalesceMs) {
      // The leader never reported back (or failed): a new request may lead.
      at.space.flights.delete(at.key);
      return undefined;
    }
    const stale = flight.stale;
    if (stale !== undefined) {
      // One refresh per key: meanwhile everyone gets the stale entry while its window lasts.
      return now < refreshUntil(stale) ? this.#serveStale(at, stale, now, false) : undefined;
    }
    return flight.wait(this.#coalesceMs).then((entry) => {
      const other = entry === undefined ? undefined : this.#otherVariant(at, flight);
      if (other !== undefined) return this.#lookup(other);
      if (entry !== undefined && flight.serves(at.codings)) {
        this.counters.coalesced++;
        return this.#serve(entry, at.request, this.options.now(), 'HIT', COLLAPSED);
      }
      // The leader's entry is for other codings: this client's variant is where to look (and
      // the first such waiter leads its fill, the others wait for it).
      if (entry !== undefined && at.key === at.base) return this.#variant(at);
      // The leader's response could not be shared (or it took too long): fill independently.
      return this.#miss(at, undefined, false, at.key === at.root ? 'uri-miss' : 'miss');
    });
  }

  /** The lookup of the variant `recipe` selects for `at`'s request. */
  #learned(at: Lookup, recipe: readonly string[]): Lookup {
    const key = this.variants.variantKey(at.root, recipe, at.request.headers);
    return { ...at, base: key, key };
  }

  /** Where `at` must look instead when the leader of `flight` made another learned variant. */
  #otherVariant(at: Lookup, flight: Flight): Lookup | undefined {
    const made = flight.variant;
    if (made === undefined || at.key !== at.root) return undefined;
    const mine = this.#learned(at, made.recipe);
    return mine.key === made.key ? undefined : mine;
  }

  /** Looks `at` up under its coding variant, once the base key is known to vary by coding. */
  #variant(at: Lookup): Decision | Promise<Decision> {
    return this.#lookup({ ...at, key: codingVariant(at.base, at.codings) });
  }

  #serveStale(at: Lookup, entry: StoredEntry, now: number, refresh: boolean): Decision {
    this.counters.stale++;
    if (tracing) trace('stale', at.request);
    const decision = this.#serve(entry, at.request, now, 'STALE');
    const current = at.space.flights.get(at.key);
    // RFC 5861 §3: one background refresh per key; a HEAD cannot refresh (it has no body).
    if (!refresh || at.request.method === 'HEAD' || (current !== undefined && !current.settled)) {
      return decision;
    }
    const flight = new Flight(now, entry, at.codings);
    at.space.flights.set(at.key, flight);
    return { ...decision, refresh: new CacheFill(this, at, flight, entry, true, 'stale') };
  }

  #serve(
    entry: StoredEntry,
    request: CacheRequest,
    now: number,
    status: CacheStatus,
    standard?: string,
  ): Serve {
    const names = this.options.names;
    // A fresh hit reuses the reply made for the entry within the same second (nothing copied).
    const reply =
      status === 'HIT' && standard === undefined
        ? hitReply(entry, request, now, names)
        : replyFromEntry(entry, request, now, status, standard, names, true);
    if (reply.status === 304) this.counters.notModified++;
    return { kind: 'serve', reply };
  }

  #pass(reason: BypassReason, request: CacheRequest): Decision {
    this.counters.bypassed(reason);
    reportBypass(this.options, reason, request, 'bypass');
    const status = forwardStatus('bypass', false, reason);
    return { kind: 'pass', reason, headers: statusHeaders(this.options.names, 'BYPASS', status) };
  }
}
