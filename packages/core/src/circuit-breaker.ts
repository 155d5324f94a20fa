import { checkCount, checkFunction, checkOptions, optionNames } from './check-option.ts';
import { type Duration, parseDuration } from './duration.ts';
import type { Clock } from './store.ts';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures (timeouts included) that open the circuit. @default 5 */
  readonly failures?: number;
  /** How long an open circuit fails fast before one call is let through to probe the backend. @default 1 (second) */
  readonly probeAfter?: Duration;
  /** How long one call may take before it counts as failed; `Infinity` for no limit. @default Infinity */
  readonly timeout?: Duration;
  /** The clock, epoch ms; inject one in tests. @default Date.now */
  readonly now?: Clock;
}

/** `closed`: calls go through; `open`: calls fail fast; `probing`: one call is testing the backend. */
export type CircuitState = 'closed' | 'open' | 'probing';

/**
 * Guards the calls a store makes to its backend: after `failures` consecutive failures it opens
 * and rejects at once with a {@link CircuitOpenError}, lets one call through every `probeAfter`,
 * and closes again when that call succeeds. Store-agnostic; the Redis and PostgreSQL stores wrap
 * each backend call in {@link CircuitBreaker.run}.
 */
export interface CircuitBreaker {
  /**
   * Runs `call` unless the circuit is open; rejects with a {@link CircuitOpenError} when it is,
   * with a {@link CallTimeoutError} when `call` does not settle within `timeout`, and with the
   * call's own error otherwise.
   */
  run<T>(call: () => PromiseLike<T>): Promise<T>;
  /** The current state, as of the clock's now. */
  readonly state: CircuitState;
}

/** A call refused because the circuit is open; `cause` is the failure that last opened it. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(failures: number, retryInMs: number, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `circuit open after ${failures} consecutive failures (probing again in ${Math.max(0, Math.ceil(retryInMs))} ms); last failure: ${detail}`,
      { cause },
    );
  }
}

/** A call that did not settle within the breaker's `timeout`. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

const FN = 'createCircuitBreaker';
const KNOWN = optionNames<CircuitBreakerOptions>({
  failures: true,
  probeAfter: true,
  timeout: true,
  now: true,
});
// setTimeout cannot wait longer than 2^31-1 ms; anything past it means no limit.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Creates a {@link CircuitBreaker}.
 *
 * @example
 * const breaker = createCircuitBreaker({ failures: 3, probeAfter: '1s', timeout: '500ms' });
 * const value = await breaker.run(() => client.get(key));
 */
export function createCircuitBreaker(given?: CircuitBreakerOptions): CircuitBreaker {
  const options = checkOptions(given, KNOWN, FN);
  const threshold = checkCount(options.failures, 5, FN, 'failures');
  const probeAfterMs = parseDuration(options.probeAfter ?? 1, FN, 'probeAfter') * 1000;
  const timeoutMs =
    parseDuration(options.timeout ?? Number.POSITIVE_INFINITY, FN, 'timeout') * 1000;
  const now = checkFunction(options.now, FN, 'now') ?? Date.now;

  let consecutive = 0;
  let openedAt = 0;
  let probing = false;
  let lastFailure: unknown;

  const isOpen = () => consecutive >= threshold;

  function succeeded(): void {
    consecutive = 0;
    probing = false;
    lastFailure = undefined;
  }

  function failed(error: unknown): void {
    consecutive += 1;
    lastFailure = error;
    // A failed probe, or the failure that crosses the threshold, (re)starts the wait.
    if (probing || consecutive === threshold) openedAt = now();
    probing = false;
  }

  function withTimeout<T>(pending: PromiseLike<T>): Promise<T> {
    if (!(timeoutMs < MAX_TIMER_MS)) return Promise.resolve(pending);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CallTimeoutError(timeoutMs)), timeoutMs);
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  return {
    get state(): CircuitState {
      if (!isOpen()) return 'closed';
      return probing ? 'probing' : 'open';
    },

    run<T>(call: () => PromiseLike<T>): Promise<T> {
      if (isOpen()) {
        const waited = now() - openedAt;
        if (waited < probeAfterMs) {
          return Promise.reject(
            new CircuitOpenError(consecutive, probeAfterMs - waited, lastFailure),
          );
        }
        // One probe per interval: restarting the wait holds the others back, and a probe that
        // never settles (no timeout) cannot keep the circuit shut for ever.
        probing = true;
        openedAt = now();
      }
      let pending: PromiseLike<T>;
      try {
        pending = call();
      } catch (error) {
        failed(error);
        return Promise.reject(error);
      }
      return withTimeout(pending).then(
        (value) => {
          succeeded();
          return value;
        },
        (error: unknown) => {
          failed(error);
          throw error;
        },
      );
    },
  };
}
