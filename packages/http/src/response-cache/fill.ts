import { codingVariant } from './cache-key.ts';
import { type Forward, forwardStatus, statusHeaders } from './cache-status.ts';
import type { Flight } from './coalesce.ts';
import { flatString } from './compact.ts';
import { reportBypass, trace, tracing } from './debug.ts';
import { codingBit } from './encoding.ts';
import { CODING_MARKER, createEntry, errorUntil, type StoredEntry, storeTtl } from './entry.ts';
import type { FillContext, Lookup } from './fill-context.ts';
import { FillControl } from './fill-control.ts';
import { FN } from './options.ts';
import { PendingStore, settled } from './pending-reply.ts';
import { recordRecipe } from './recipe.ts';
import { passThrough, replyFromEntry } from './replay.ts';
import { checkStorable } from './storability.ts';
import { isThenable } from './storage.ts';
import { outgoingHeaders, restoreOmitted } from './stored-headers.ts';
import type {
  BypassReason,
  CapturedResponse,
  Fill,
  OutgoingHeaders,
  PendingReply,
  Reply,
} from './types.ts';
import type { Placement } from './vary-recipe.ts';

/**
 * A miss (or a stale-while-revalidate refresh) being filled by the adapter. Settles exactly once:
 * the first of `complete`, `fail` or `abandon` decides; later calls change nothing.
 */
export class CacheFill implements Fill {
  readonly control = new FillControl();
  readonly maxBodySize: number;
  #done = false;
  /** The store's invalidation epoch when this fill began (see `Fence`). */
  readonly #epoch: number;
  /** Where the entry goes: the request's key, or the variant its learned `Vary` fields select. */
  #placed: Placement | undefined;

  constructor(
    private readonly ctx: FillContext,
    private readonly at: Lookup,
    /** The flight this fill leads, whose waiters it answers; none for an independent fill. */
    private readonly flight: Flight | undefined,
    /** A stale entry that may replace an error (stale-if-error), or the one being refreshed. */
    private readonly fallback: StoredEntry | undefined,
    /** A background refresh: its reply reaches no client. */
    private readonly refresh: boolean,
    /** Why the request went forward (RFC 9211 `fwd`). */
    private readonly fwd: Forward,
  ) {
    this.maxBodySize = ctx.options.maxBodySize;
    this.#epoch = at.space.fence.epoch;
  }

  complete(response: CapturedResponse): Promise<Reply> {
    try {
      const pending = this.#respond(response);
      pending.commit(pending.reply.status, response.headers);
      return Promise.resolve(pending.reply);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  respond(response: CapturedResponse): Promise<PendingReply> {
    try {
      return Promise.resolve(this.#respond(response));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  fail(_error: unknown): Promise<Reply | undefined> {
    if (this.#done) return Promise.resolve(undefined);
    this.#done = true;
    this.#release(undefined);
    return Promise.resolve(this.#staleInstead());
  }

  abandon(reason: BypassReason): OutgoingHeaders {
    const names = this.ctx.options.names;
    if (this.#done) return statusHeaders(names, 'BYPASS', forwardStatus(this.fwd, false, reason));
    this.#done = true;
    this.#refused(reason, this.ctx.options.now(), reason === 'too-large');
    return statusHeaders(names, 'BYPASS', forwardStatus(this.fwd, false, reason));
  }

  /** Counts and reports a response not stored; waiters fill for themselves. */
  #refused(reason: BypassReason, now: number, remember: boolean): void {
    this.ctx.counters.bypassed(reason);
    if (remember) this.at.space.missMemory.remember(this.at.key, now);
    this.#release(undefined);
    reportBypass(this.ctx.options, reason, this.at.request, 'not stored');
  }

  #respond(response: CapturedResponse): PendingReply {
    const o = this.ctx.options;
    if (this.#done) return settled(this.#passThrough(response, 'superseded'));
    this.#done = true;
    const now = o.now();
    // RFC 5861 §4: a 5xx within the stale-if-error window is replaced by the stale entry.
    if (response.status >= 500) {
      this.#release(undefined);
      return settled(this.#staleInstead() ?? this.#passThrough(response, 'status'));
    }
    const at = this.at;
    const verdict =
      this.control.skipped || this.control.seconds === 0
        ? ({ ok: false, reason: 'skipped' } as const)
        : checkStorable(response, at.codings, this.ctx.policy);
    if (!verdict.ok) {
      this.#refused(verdict.reason, now, true);
      return settled(this.#passThrough(response, verdict.reason));
    }
    // A response that varies on request fields outside the key is stored as the variant their
    // values select, the recipe kept at the request's key (bounded per key).
    const placed = this.ctx.variants.place(at.root, verdict.learned, at.request.headers);
    if (placed === undefined) {
      this.#refused('too-many-variants', now, true);
      return settled(this.#passThrough(response, 'too-many-variants'));
    }
    this.#placed = placed;
    let tags: readonly string[];
    try {
      tags = this.#tags();
    } catch (error) {
      // The app's tags function failed: its error goes to the app, and waiters fill for themselves.
      this.#release(undefined);
      throw error;
    }
    const headers = outgoingHeaders(response, verdict.omit, o.statusHeader);
    const vary = codingBit(headers['content-encoding']) > 0 ? this.ctx.codedVary : this.ctx.vary;
    const entry = createEntry(response, headers, vary, {
      now,
      ttl: this.control.seconds ?? o.ttl,
      staleWhileRevalidate: verdict.staleAllowed ? o.staleWhileRevalidate : 0,
      staleIfError: verdict.staleAllowed ? o.staleIfError : 0,
      names: o.names,
    });
    at.space.missMemory.forget(at.key);
    if (this.#epoch !== at.space.fence.epoch) {
      // An invalidation (by any cache on this store) ran while the handler did: its response may
      // predate it, so it is sent but not stored (nor shared with waiters).
      this.#release(undefined);
      const status = forwardStatus(this.fwd, false, 'invalidated');
      const sent = replyFromEntry(entry, at.request, now, 'MISS', status, o.names, false);
      return settled(restoreOmitted(sent, response, verdict.omit));
    }
    const status = forwardStatus(this.fwd, true);
    const reply = restoreOmitted(
      replyFromEntry(entry, at.request, now, 'MISS', status, o.names, false),
      response,
      verdict.omit,
    );
    if (reply.status === 304 && !this.refresh) this.ctx.counters.notModified++;
    const check = (late: CapturedResponse) => checkStorable(late, at.codings, this.ctx.policy);
    const refused = (reason: BypassReason) => this.#refusedHeaders(reason);
    return new PendingStore(response, reply, check, refused, (late) => {
      if (late !== undefined) {
        this.#refused(late, o.now(), true);
        return;
      }
      if (this.#epoch !== at.space.fence.epoch) {
        this.#release(undefined);
        return;
      }
      this.ctx.counters.stored++;
      // The app's front (cacheFront) learns how this path is keyed from what its layers store.
      recordRecipe(this.ctx, at);
      if (tracing) trace('stored', at.request);
      this.#release(entry, verdict.byCoding, this.#store(entry, verdict.byCoding, tags, now));
    });
  }

  /** The status headers of a response refused for `reason` after its reply was made. */
  #refusedHeaders(reason: BypassReason): OutgoingHeaders {
    return statusHeaders(this.ctx.options.names, 'BYPASS', forwardStatus(this.fwd, false, reason));
  }

  #passThrough(response: CapturedResponse, reason: BypassReason): Reply {
    return passThrough(response, this.ctx.options.names, forwardStatus(this.fwd, false, reason));
  }

  /**
   * Writes the entry: under the base key when it serves every client, else under the variant for
   * the request's accepted codings with a marker at the base key (RFC 9110 §12.5.3: a coded body
   * only reaches clients that accept its coding). Resolves with the key written once it settled.
   */
  #store(entry: StoredEntry, byCoding: boolean, tags: readonly string[], now: number): unknown {
    const { space, codings } = this.at;
    const base = this.#base();
    const ttl = storeTtl(entry, now);
    // The stored key lives as long as the entry: keep it as one flat string.
    const key = flatString(byCoding ? codingVariant(base, codings) : base);
    const writes = [space.storage.set(key, entry, ttl, tags)];
    if (byCoding) writes.push(space.storage.set(base, CODING_MARKER, ttl, []));
    const recipe = this.#placed?.recipe;
    if (recipe !== undefined) writes.push(space.storage.set(this.at.root, recipe, ttl, []));
    if (writes.length === 1) return writes[0];
    return writes.some(isThenable) ? Promise.all(writes) : undefined;
  }

  /** The key the entry (or its coding marker) goes under. */
  #base(): string {
    return this.#placed?.key ?? this.at.base;
  }

  #tags(): readonly string[] {
    const base = this.ctx.options.tags;
    const fixed = typeof base === 'function' ? base(this.at.request) : base;
    if (typeof base === 'function') {
      if (!Array.isArray(fixed) || !fixed.every((tag) => typeof tag === 'string' && tag !== '')) {
        throw new TypeError(
          `${FN}: option "tags" must return an array of non-empty strings, got ${String(fixed)}`,
        );
      }
    }
    const extra = this.control.tags;
    return extra === undefined ? fixed : [...fixed, ...extra];
  }

  /** The stale entry in place of an error, when the stale-if-error window allows (RFC 5861 §4). */
  #staleInstead(): Reply | undefined {
    const stale = this.fallback;
    const now = this.ctx.options.now();
    if (stale === undefined || !(now < errorUntil(stale))) return undefined;
    if (!this.refresh) this.ctx.counters.stale++;
    const o = this.ctx.options;
    const status = forwardStatus('stale', false, 'status');
    const reply = replyFromEntry(stale, this.at.request, now, 'STALE', status, o.names, true);
    if (reply.status === 304 && !this.refresh) this.ctx.counters.notModified++;
    return reply;
  }

  /**
   * Ends this fill's flight: waiters get `entry`, or fill for themselves. A flight with an entry
   * stays visible (and serves late arrivals, while fresh) until its store write settles; if an
   * invalidation fenced it meanwhile, the write may have landed after the store was cleared, so
   * the entry is deleted again.
   */
  #release(entry: StoredEntry | undefined, byCoding = false, write?: unknown): void {
    const flight = this.flight;
    if (flight === undefined) return;
    const recipe = this.#placed?.recipe;
    if (entry !== undefined && recipe !== undefined) {
      flight.variant = { recipe: recipe.r, key: this.#base() };
    }
    flight.settle(entry, !byCoding, write);
    const { flights, storage } = this.at.space;
    const key = this.at.key;
    const drop = () => {
      if (flights.get(key) === flight) flights.delete(key);
    };
    if (entry === undefined || !isThenable(write)) {
      drop();
      return;
    }
    const settled = () => {
      drop();
      if (flight.fenced) {
        const base = this.#base();
        storage.delete(byCoding ? codingVariant(base, this.at.codings) : base);
      }
    };
    write.then(settled, settled);
  }
}
