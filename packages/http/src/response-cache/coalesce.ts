import {
  canShareFlights,
  joinSharedFlight,
  releaseLock,
  type SharedFound,
  type StoreLock,
} from '@larder/core';
import { freshUntil, readEntry, type StoredEntry } from './entry.ts';
import type { EntryStorage } from './storage.ts';

interface Waiter {
  readonly resolve: (entry: StoredEntry | undefined) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
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
  /** The store lock this flight's leader holds while it fills for every process sharing the store. */
  #lock: { readonly held: StoreLock; readonly report: (error: Error) => void } | undefined;
  #waiters: Waiter[] = [];

  constructor(
    /**
     * When it started (or restarted after waiting on other processes), epoch ms: a flight older
     * than the coalescing deadline is presumed lost.
     */
    public started: number,
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

  /** Holds `held` until the flight settles and its write has landed. */
  holdLock(held: StoreLock, report: (error: Error) => void): void {
    this.#lock = { held, report };
  }

  /** Resolves the leader's entry, or `undefined` when it made none or `timeoutMs` passed first. */
  wait(timeoutMs: number): Promise<StoredEntry | undefined> {
    if (this.#settled) return Promise.resolve(this.entry);
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      waiter.timer = this.#expire(waiter, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /**
   * Gives the flight and its waiters a new deadline from `now`: the leader waited on another
   * process and now fills itself, and the requests waiting here should get that fill.
   */
  restart(now: number, timeoutMs: number): void {
    this.started = now;
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.timer = this.#expire(waiter, timeoutMs);
    }
  }

  #expire(waiter: Waiter, timeoutMs: number): ReturnType<typeof setTimeout> | undefined {
    if (timeoutMs === Number.POSITIVE_INFINITY) return undefined;
    return setTimeout(() => {
      const i = this.#waiters.indexOf(waiter);
      if (i !== -1) this.#waiters.splice(i, 1);
      waiter.resolve(undefined);
    }, timeoutMs);
  }

  /**
   * Ends the flight: every waiter gets `entry` (or `undefined` to fill for itself); `forAll` false
   * when the entry varies by content coding (waiters check {@link serves}).
   */
  settle(entry: StoredEntry | undefined, forAll = true, write?: unknown): void {
    const lock = this.#lock;
    if (lock !== undefined) {
      // Other processes take the lock as their turn to fill: free it once the entry has landed.
      this.#lock = undefined;
      const release = () => releaseLock(lock.held, lock.report);
      Promise.resolve(write).then(release, release);
    }
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

/** Where a key's fills run: its storage and the flights in progress. */
interface FlightSpace {
  readonly storage: EntryStorage;
  readonly flights: Map<string, Flight>;
}

/**
 * Coalesces a fill this process leads with the processes sharing its store (a store that is
 * `shared` and has `lock`; with any other store it returns `fill` at once, as before). The process
 * that takes the store lock on `key` fills, holding the lock until its entry is written; the
 * others look at the store with growing, jittered pauses (`joinSharedFlight` in @larder/core)
 * until a fresh entry appears there, which then answers the request and everyone waiting on
 * `flight` (through `joined`, the engine's own join), or until half of `deadlineMs` passes or the
 * lock fails, when they fill themselves (the requests waiting on `flight` get a new deadline for
 * that fill). Entries that vary by coding or by `Vary` sit under variant keys, not `key`: for those,
 * one fill per process remains.
 */
export function fillAcrossProcesses<D>(
  at: { readonly space: FlightSpace; readonly key: string },
  flight: Flight,
  deadlineMs: number,
  fill: D,
  joined: () => D | Promise<D> | undefined,
): D | Promise<D> {
  const { space, key } = at;
  const shared = space.storage.shared;
  if (shared === undefined || !canShareFlights(shared.store)) return fill;
  const now = shared.now;
  const read = async (): Promise<SharedFound<StoredEntry> | undefined> => {
    const entry = readEntry(await space.storage.get(key));
    return entry !== undefined && now() < freshUntil(entry) ? { value: entry } : undefined;
  };
  // Half the deadline for the other process: this process's waiters (whose own deadline runs
  // from when they joined) must still be waiting when it gives up and fills for them.
  const wait = { deadlineMs: deadlineMs / 2, timeoutMs: shared.timeoutMs, report: shared.report };
  return joinSharedFlight(shared.store, key, read, wait).then((turn) => {
    if (turn.found === undefined) {
      if (turn.lock !== undefined) flight.holdLock(turn.lock, shared.report);
      // The time spent waiting on other processes does not count against this process's waiters.
      flight.restart(now(), deadlineMs);
      return fill;
    }
    // Another process stored the response: it answers this request and this process's waiters.
    flight.settle(turn.found.value);
    if (space.flights.get(key) === flight) space.flights.delete(key);
    return joined() ?? fill;
  });
}
