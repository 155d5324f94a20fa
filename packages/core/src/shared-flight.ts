import { isThenable } from './guarded-store.ts';
import type { Store, StoreLock } from './store.ts';

/** A value another process stored while this one waited (wrapped: `null` is a value). */
export interface SharedFound<T> {
  readonly value: T;
}

/**
 * How a process takes part in a computation shared across processes: `found`, another process
 * stored the value; otherwise this process computes, holding `lock` when it won it (release it
 * once the value is stored) and without one when the store failed or the deadline passed.
 */
export type SharedTurn<T> =
  | { readonly found: SharedFound<T>; readonly lock?: undefined }
  | { readonly found?: undefined; readonly lock: StoreLock | undefined };

/** Options of {@link joinSharedFlight}. */
export interface SharedFlightOptions {
  /** How long to wait for another process's value before computing anyway, ms. */
  readonly deadlineMs: number;
  /** How long one lock call may take before the store counts as failed, ms. */
  readonly timeoutMs: number;
  /** Told about a lock call that failed or timed out; must not throw. */
  readonly report: (error: Error) => void;
  /** The polling schedule, ms. @default { firstMs: POLL_FIRST_MS, maxMs: POLL_MAX_MS } */
  readonly poll?: { readonly firstMs: number; readonly maxMs: number };
}

/**
 * The first pause between two looks at the store while another process computes, ms. Each next
 * pause doubles, up to {@link POLL_MAX_MS}, and is jittered by ±25% so that waiting processes do
 * not poll in step. Measured with `bench/shared-flight.ts` (figures in the @larder/memcached
 * README): waiters notice a value about 30 ms after it lands (worst about 65 ms) with about 20
 * looks a second; a 100 ms cap doubles that lag, fixed 5 ms pauses cost 8 times the looks.
 */
export const POLL_FIRST_MS = 10;
/** The longest pause between two looks at the store, ms. */
export const POLL_MAX_MS = 50;

/**
 * True when concurrent misses for one key can be coalesced across processes on `store`: it is
 * shared between them (`capabilities.shared`) and can take a lock.
 */
export function canShareFlights(store: Store): boolean {
  return store.capabilities?.shared === true && typeof store.lock === 'function';
}

/**
 * Decides who computes the value of `key` among the processes sharing `store`: the process that
 * takes the store lock on `key` computes (after one more look, in case the value landed just
 * before); the others look at the store with `read`, with jittered, growing pauses, until the
 * value appears, the lock comes free (a holder that failed or died: then they take it), or
 * `deadlineMs` passes (then they compute without it). A lock call that fails or hangs means
 * computing at once, so a sick store never stalls a caller. Call it once per process and key (the
 * in-process single-flight goes in front), and release the lock after storing the value.
 *
 * @param read - one look at the store: the value when it is there and fresh; never rejects
 */
export async function joinSharedFlight<T>(
  store: Store,
  key: string,
  read: () => Promise<SharedFound<T> | undefined>,
  options: SharedFlightOptions,
): Promise<SharedTurn<T>> {
  const deadline = Date.now() + options.deadlineMs;
  const lockTtl = Math.max(1, options.deadlineMs / 1000);
  const maxPause = options.poll?.maxMs ?? POLL_MAX_MS;
  let pause = options.poll?.firstMs ?? POLL_FIRST_MS;
  for (;;) {
    const lock = await tryLock(store, key, lockTtl, options);
    if (lock === FAILED) return { lock: undefined };
    if (lock !== undefined) {
      const found = await read();
      if (found === undefined) return { lock };
      releaseLock(lock, options.report);
      return { found };
    }
    const left = deadline - Date.now();
    if (left <= 0) return { lock: undefined };
    await sleep(Math.min(left, pause * (0.75 + Math.random() / 2)));
    pause = Math.min(maxPause, pause * 2);
    const found = await read();
    if (found !== undefined) return { found };
  }
}

/** Releases a lock from {@link joinSharedFlight}; a failure is reported (the lock then expires on its own). */
export function releaseLock(lock: StoreLock, report: (error: Error) => void): void {
  const fail = (error: unknown) =>
    report(new Error('shared flight: releasing the store lock failed', { cause: error }));
  try {
    const done = lock.release();
    if (isThenable(done)) done.then(undefined, fail);
  } catch (error) {
    fail(error);
  }
}

const FAILED = Symbol('failed');

function tryLock(
  store: Store,
  key: string,
  ttl: number,
  options: SharedFlightOptions,
): Promise<StoreLock | undefined | typeof FAILED> {
  const fail = (error: unknown): typeof FAILED => {
    options.report(
      new Error(`shared flight: store lock on ${JSON.stringify(key)} failed`, { cause: error }),
    );
    return FAILED;
  };
  let pending: unknown;
  try {
    pending = store.lock?.(key, ttl);
  } catch (error) {
    return Promise.resolve(fail(error));
  }
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(
      () => {
        done = true;
        // A lock granted after the caller gave up would block other processes until it expires.
        Promise.resolve(pending).then((late) => {
          if (late !== undefined) releaseLock(late as StoreLock, options.report);
        }, noop);
        resolve(fail(new Error(`no answer within ${options.timeoutMs} ms`)));
      },
      Math.min(options.timeoutMs, 2 ** 31 - 1),
    );
    Promise.resolve(pending).then(
      (lock) => {
        if (done) return;
        clearTimeout(timer);
        resolve(
          isLock(lock)
            ? lock
            : lock === undefined
              ? undefined
              : fail(new TypeError('malformed lock')),
        );
      },
      (error: unknown) => {
        if (done) return;
        clearTimeout(timer);
        resolve(fail(error));
      },
    );
  });
}

function isLock(value: unknown): value is StoreLock {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StoreLock).release === 'function'
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function noop(): void {}
