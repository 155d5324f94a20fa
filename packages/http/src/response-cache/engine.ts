import { KeyBuilder } from './cache-key.ts';
import { Flight, MissMemory } from './coalesce.ts';
import { acceptedCodings } from './encoding.ts';
import { errorUntil, freshUntil, readEntry, refreshUntil, type StoredEntry } from './entry.ts';
import { CacheFill } from './fill.ts';
import type { FillContext } from './fill-context.ts';
import { Invalidator } from './invalidation.ts';
import { type ResolvedOptions, resolveOptions } from './options.ts';
import { type CacheStatus, replyFromEntry, statusOnly } from './replay.ts';
import { Counters } from './stats.ts';
import type { StorePolicy } from './storability.ts';
import { type EntryStorage, isThenable } from './storage.ts';
import { openStorage } from './store-access.ts';
import type {
  BypassReason,
  CacheRequest,
  Decision,
  ResponseCacheEngine,
  ResponseCacheOptions,
  ResponseCacheStats,
} from './types.ts';

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

class ResponseCache extends Invalidator implements ResponseCacheEngine, FillContext {
  readonly counters = new Counters();
  readonly storage: EntryStorage;
  readonly flights = new Map<string, Flight>();
  readonly missMemory = new MissMemory();
  readonly policy: StorePolicy;
  readonly vary: readonly string[];
  readonly codedVary: readonly string[];
  readonly #keys: KeyBuilder;
  /** Store reads in progress, shared by concurrent requests for one key. */
  readonly #lookups = new Map<string, PromiseLike<unknown>>();
  readonly #coalesceMs: number;

  constructor(override readonly options: ResolvedOptions) {
    const storage = openStorage(options, (error) => {
      this.counters.storeErrors++;
      try {
        options.onError?.(error);
      } catch {
        // A throwing onError must not turn a contained store failure into a failed request.
      }
    });
    super(options, storage);
    this.storage = storage;
    this.#keys = new KeyBuilder(options);
    this.#coalesceMs = options.coalesceTimeout * 1000;
    this.vary = [...options.headers, ...(options.language ? ['accept-language'] : [])];
    this.codedVary = [...this.vary, 'accept-encoding'];
    this.policy = {
      // Accept-Encoding is always keyed (as the set of accepted codings), and the host when host keying is on.
      keyed: new Set([...this.codedVary, ...(options.host ? ['host'] : [])]),
      allowPrivate: options.allowPrivate,
      maxBodySize: options.maxBodySize,
    };
  }

  codingsOf(request: CacheRequest): number {
    return acceptedCodings(request.headers['accept-encoding']);
  }

  stats(): ResponseCacheStats {
    return this.counters.snapshot();
  }

  /** Bumped by every invalidation: a fill that started before it does not store its response. */
  epoch = 0;

  protected override fence(scope: string | undefined): void {
    this.epoch++;
    for (const [key, flight] of this.flights) {
      if (scope === undefined ? flight.entry !== undefined : key.startsWith(scope)) {
        this.flights.delete(key);
      }
    }
  }

  handle(request: CacheRequest): Decision | Promise<Decision> {
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return this.#pass('method');
    const headers = request.headers;
    // RFC 9111 §3.5: a response to an authorised request may be for that user only.
    if (headers.authorization !== undefined && !this.options.allowAuthorization) {
      return this.#pass('authorization');
    }
    // RFC 9110 §14.2: partial content is the handler's business; the cache stores whole bodies only.
    if (headers.range !== undefined) return this.#pass('range');
    const key = this.#keys.keyOf(request);
    if (key === undefined) return this.#pass('key');
    const flight = this.flights.get(key);
    if (flight !== undefined) {
      const joined = this.#join(request, key, flight, this.options.now());
      if (joined !== undefined) return joined;
    }
    // Concurrent requests for one key share one store read.
    const pending = this.#lookups.get(key);
    if (pending !== undefined) {
      return Promise.resolve(pending).then((value) => this.#decide(request, key, value));
    }
    const raw = this.storage.get(key);
    if (!isThenable(raw)) return this.#decide(request, key, raw);
    this.#lookups.set(key, raw);
    const done = () => this.#lookups.delete(key);
    raw.then(done, done);
    return Promise.resolve(raw).then((value) => this.#decide(request, key, value));
  }

  /** After the store answered: a hit, a stale serve, a wait on someone else's fill, or a fill. */
  #decide(request: CacheRequest, key: string, raw: unknown): Decision | Promise<Decision> {
    const now = this.options.now();
    const entry = readEntry(raw);
    if (entry !== undefined) {
      if (now < freshUntil(entry)) {
        this.counters.hits++;
        return this.#serve(entry, request, now, 'HIT');
      }
      if (now < refreshUntil(entry)) return this.#serveStale(request, key, entry, now);
    }
    // A fill may have started while the store was being read.
    const flight = this.flights.get(key);
    if (flight !== undefined) {
      const joined = this.#join(request, key, flight, now);
      if (joined !== undefined) return joined;
    }
    const fallback = entry !== undefined && now < errorUntil(entry) ? entry : undefined;
    return this.#miss(request, key, fallback, now);
  }

  #miss(
    request: CacheRequest,
    key: string,
    fallback: StoredEntry | undefined,
    now: number,
  ): Decision {
    this.counters.misses++;
    // A HEAD response has no body to store; filling from it would poison the GET entry.
    if (request.method === 'HEAD') {
      return {
        kind: 'pass',
        reason: 'method',
        headers: statusOnly(this.options.statusHeader, 'MISS'),
      };
    }
    if (this.missMemory.has(key, now)) {
      // Recently uncacheable: run in parallel rather than queue behind a leader whose response
      // could not be shared anyway.
      return { kind: 'fill', fill: new CacheFill(this, request, key, undefined, fallback, false) };
    }
    const flight = new Flight(now, undefined);
    this.flights.set(key, flight);
    return { kind: 'fill', fill: new CacheFill(this, request, key, flight, fallback, false) };
  }

  /** A request arriving while a fill or refresh for its key runs; `undefined` to carry on as if there were none. */
  #join(
    request: CacheRequest,
    key: string,
    flight: Flight,
    now: number,
  ): Decision | Promise<Decision> | undefined {
    const made = flight.entry;
    if (made !== undefined) {
      // The leader's entry, while its store write is still settling (a slow store), if still fresh.
      if (now < freshUntil(made)) {
        this.counters.coalesced++;
        return this.#serve(made, request, now, 'HIT');
      }
      this.flights.delete(key);
      return undefined;
    }
    const lost = flight.settled || now - flight.started > this.#coalesceMs;
    if (lost) {
      // The leader never reported back (or failed): a new request may lead.
      this.flights.delete(key);
      return undefined;
    }
    const stale = flight.stale;
    if (stale !== undefined) {
      // One refresh per key: meanwhile everyone gets the stale entry while its window lasts.
      return now < refreshUntil(stale)
        ? this.#serveStale(request, key, stale, now, false)
        : undefined;
    }
    return flight.wait(this.#coalesceMs).then((entry) => this.#afterWait(request, key, entry));
  }

  #afterWait(request: CacheRequest, key: string, entry: StoredEntry | undefined): Decision {
    const now = this.options.now();
    if (entry !== undefined) {
      this.counters.coalesced++;
      return this.#serve(entry, request, now, 'HIT');
    }
    // The leader's response could not be shared (or it took too long): fill independently.
    this.counters.misses++;
    if (request.method === 'HEAD') {
      return {
        kind: 'pass',
        reason: 'method',
        headers: statusOnly(this.options.statusHeader, 'MISS'),
      };
    }
    return { kind: 'fill', fill: new CacheFill(this, request, key, undefined, undefined, false) };
  }

  #serveStale(
    request: CacheRequest,
    key: string,
    entry: StoredEntry,
    now: number,
    refresh = true,
  ): Decision {
    this.counters.stale++;
    const reply = replyFromEntry(entry, request, now, 'STALE', this.options.statusHeader, true);
    if (reply.status === 304) this.counters.notModified++;
    const current = this.flights.get(key);
    // RFC 5861 §3: one background refresh per key; a HEAD cannot refresh (it has no body).
    if (!refresh || request.method === 'HEAD' || (current !== undefined && !current.settled)) {
      return { kind: 'serve', reply };
    }
    const flight = new Flight(now, entry);
    this.flights.set(key, flight);
    return {
      kind: 'serve',
      reply,
      refresh: new CacheFill(this, request, key, flight, entry, true),
    };
  }

  #serve(entry: StoredEntry, request: CacheRequest, now: number, status: CacheStatus): Decision {
    const reply = replyFromEntry(entry, request, now, status, this.options.statusHeader, true);
    if (reply.status === 304) this.counters.notModified++;
    return { kind: 'serve', reply };
  }

  #pass(reason: BypassReason): Decision {
    this.counters.bypassed(reason);
    return { kind: 'pass', reason, headers: statusOnly(this.options.statusHeader, 'BYPASS') };
  }
}
