import { type Duration, parseDuration } from '@larder/core';
import type { Flight } from './coalesce.ts';
import { flatString } from './compact.ts';
import { codingBit } from './encoding.ts';
import { createEntry, errorUntil, type StoredEntry, storeTtl } from './entry.ts';
import type { FillContext } from './fill-context.ts';
import { FN } from './options.ts';
import { replyFromEntry, statusOnly } from './replay.ts';
import { checkStorable } from './storability.ts';
import { outgoingHeaders } from './stored-headers.ts';
import type {
  BypassReason,
  CacheRequest,
  CapturedResponse,
  Fill,
  OutgoingHeaders,
  Reply,
  ResponseCacheControl,
} from './types.ts';

/** Handler-level control of one fill: tags, skip, ttl. */
class FillControl implements ResponseCacheControl {
  tags: string[] | undefined;
  skipped = false;
  seconds: number | undefined;

  tag(...tags: string[]): void {
    for (const tag of tags) {
      if (typeof tag !== 'string' || tag === '') {
        throw new TypeError(`${FN}: control.tag() takes non-empty strings, got ${String(tag)}`);
      }
    }
    if (this.tags === undefined) this.tags = [];
    this.tags.push(...tags);
  }

  skip(): void {
    this.skipped = true;
  }

  ttl(duration: Duration): void {
    this.seconds = parseDuration(duration, `${FN} control.ttl()`, 'duration');
  }
}

/**
 * A miss (or a stale-while-revalidate refresh) being filled by the adapter. Settles exactly once:
 * the first of `complete`, `fail` or `abandon` decides; later calls change nothing.
 */
export class CacheFill implements Fill {
  readonly control = new FillControl();
  readonly maxBodySize: number;
  #done = false;
  /** The engine's invalidation epoch when this fill began. */
  readonly #epoch: number;

  constructor(
    private readonly ctx: FillContext,
    private readonly request: CacheRequest,
    private readonly key: string,
    /** The flight this fill leads, whose waiters it answers; none for an independent fill. */
    private readonly flight: Flight | undefined,
    /** A stale entry that may replace an error (stale-if-error), or the one being refreshed. */
    private readonly fallback: StoredEntry | undefined,
    /** A background refresh: its reply reaches no client. */
    private readonly refresh: boolean,
  ) {
    this.maxBodySize = ctx.options.maxBodySize;
    this.#epoch = ctx.epoch;
  }

  complete(response: CapturedResponse): Promise<Reply> {
    try {
      return Promise.resolve(this.#complete(response));
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
    const statusHeader = this.ctx.options.statusHeader;
    if (this.#done) return statusOnly(statusHeader, 'BYPASS');
    this.#done = true;
    this.ctx.counters.bypassed(reason);
    if (reason === 'too-large') this.ctx.missMemory.remember(this.key, this.ctx.options.now());
    this.#release(undefined);
    return statusOnly(statusHeader, 'BYPASS');
  }

  #complete(response: CapturedResponse): Reply {
    const { options: o, counters } = this.ctx;
    if (this.#done) return passThrough(response, o.statusHeader);
    this.#done = true;
    const now = o.now();
    // RFC 5861 §4: a 5xx within the stale-if-error window is replaced by the stale entry.
    if (response.status >= 500) {
      this.#release(undefined);
      return this.#staleInstead() ?? passThrough(response, o.statusHeader);
    }
    const codings = this.ctx.codingsOf(this.request);
    const verdict =
      this.control.skipped || this.control.seconds === 0
        ? ({ ok: false, reason: 'skipped' } as const)
        : checkStorable(response, codings, this.ctx.policy);
    if (!verdict.ok) {
      counters.bypassed(verdict.reason);
      this.ctx.missMemory.remember(this.key, now);
      this.#release(undefined);
      return passThrough(response, o.statusHeader);
    }
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
      statusHeader: o.statusHeader,
    });
    this.ctx.missMemory.forget(this.key);
    if (this.#epoch !== this.ctx.epoch) {
      // An invalidation ran while the handler did: its response may predate it, so it is sent
      // but not stored (nor shared with waiters).
      this.#release(undefined);
      return replyFromEntry(entry, this.request, now, 'MISS', o.statusHeader, false);
    }
    counters.stored++;
    // The stored key lives as long as the entry: keep it as one flat string.
    const write = this.ctx.storage.set(flatString(this.key), entry, storeTtl(entry, now), tags);
    this.#release(entry, write);
    const reply = replyFromEntry(entry, this.request, now, 'MISS', o.statusHeader, false);
    if (reply.status === 304 && !this.refresh) counters.notModified++;
    return reply;
  }

  #tags(): readonly string[] {
    const base = this.ctx.options.tags;
    const fixed = typeof base === 'function' ? base(this.request) : base;
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
    const reply = replyFromEntry(
      stale,
      this.request,
      now,
      'STALE',
      this.ctx.options.statusHeader,
      true,
    );
    if (reply.status === 304 && !this.refresh) this.ctx.counters.notModified++;
    return reply;
  }

  /**
   * Ends this fill's flight: waiters get `entry`, or fill for themselves. A flight with an entry
   * stays visible (and serves late arrivals) until its store write settles.
   */
  #release(entry: StoredEntry | undefined, write?: unknown): void {
    const flight = this.flight;
    if (flight === undefined) return;
    flight.settle(entry);
    const flights = this.ctx.flights;
    const drop = () => {
      if (flights.get(this.key) === flight) flights.delete(this.key);
    };
    if (entry !== undefined && write !== null && typeof write === 'object' && 'then' in write) {
      (write as PromiseLike<unknown>).then(drop, drop);
    } else {
      drop();
    }
  }
}

/** A response that was not stored, as the adapter sends it: its own headers, the cache status, the body. */
export function passThrough(response: CapturedResponse, statusHeader: string | undefined): Reply {
  const headers = outgoingHeaders(response, [], statusHeader);
  // RFC 9110 §8.6: no Content-Length on 204, and a 304's would describe the unsent 200.
  if (response.status === 204 || response.status === 304 || response.status < 200) {
    delete headers['content-length'];
  }
  if (statusHeader !== undefined) headers[statusHeader] = 'BYPASS';
  return { status: response.status, headers, body: response.body };
}
