import type { StoredEntry } from './entry.ts';

interface Waiter {
  readonly resolve: (entry: StoredEntry | undefined) => void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One fill (or stale-while-revalidate refresh) in progress for a key. Requests that find it wait
 * for its entry instead of running the handler again; each with its own deadline, after which it
 * runs the handler itself. A leader whose response is not stored hands its waiters nothing: they
 * run the handler themselves rather than receive a response made for someone else.
 */
export class Flight {
  /** The entry the leader produced, served to late arrivals until its store write settles. */
  entry: StoredEntry | undefined;
  /** Set by an invalidation that covered this key while the flight was visible. */
  fenced = false;
  /**
   * Set when the leader's entry is a variant learned from its `Vary`: the fields and the key it
   * went under, so a waiter whose values select another variant looks that one up instead.
   */
  variant: { readonly recipe: readonly string[]; readonly key: string } | undefined;
  /** False when the entry varies by content coding: only requests accepting the leader's codings may share it. */
  #forAll = true;
  #settled = false;
  #waiters: Waiter[] = [];

  constructor(
    /** When it started, epoch ms: a flight older than the coalescing deadline is presumed lost. */
    readonly started: number,
    /** The stale entry being refreshed, for a stale-while-revalidate refresh; served meanwhile. */
    readonly stale: StoredEntry | undefined,
    /** The content codings the leader's request accepted (`acceptedCodings`). */
    readonly codings: number,
  ) {}

  get settled(): boolean {
    return this.#settled;
  }

  /** True when the leader's entry may answer a request accepting `codings` (RFC 9110 §12.5.3). */
  serves(codings: number): boolean {
    return this.#forAll || this.codings === codings;
  }

  /** Resolves the leader's entry, or `undefined` when it made none or `timeoutMs` passed first. */
  wait(timeoutMs: number): Promise<StoredEntry | undefined> {
    if (this.#settled) return Promise.resolve(this.entry);
    return new Promise((resolve) => {
      const timer =
        timeoutMs === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(() => {
              const i = this.#waiters.indexOf(waiter);
              if (i !== -1) this.#waiters.splice(i, 1);
              resolve(undefined);
            }, timeoutMs);
      const waiter: Waiter = { resolve, timer };
      this.#waiters.push(waiter);
    });
  }

  /**
   * Ends the flight: every waiter gets `entry` (or `undefined` to fill for itself); `forAll` false
   * when the entry varies by content coding (waiters check {@link serves}).
   */
  settle(entry: StoredEntry | undefined, forAll = true): void {
    if (this.#settled) return;
    this.#settled = true;
    this.entry = entry;
    this.#forAll = forAll;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.resolve(entry);
    }
  }
}

/** Most keys remembered as uncacheable; the memory is dropped when full. */
const MISS_MEMORY_LIMIT = 10_000;
/** How long a key whose response could not be stored skips coalescing, ms. */
const MISS_MEMORY_MS = 30_000;

/**
 * Remembers, briefly, keys whose last response could not be stored ("hit-for-miss"), so that
 * requests for them run in parallel instead of queueing behind a leader whose response they
 * could not use anyway.
 */
export class MissMemory {
  readonly #until = new Map<string, number>();

  remember(key: string, now: number): void {
    if (this.#until.size >= MISS_MEMORY_LIMIT) this.#until.clear();
    this.#until.set(key, now + MISS_MEMORY_MS);
  }

  forget(key: string): void {
    this.#until.delete(key);
  }

  has(key: string, now: number): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(key);
    return false;
  }
}
