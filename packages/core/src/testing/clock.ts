import type { Clock } from '../store.ts';

/** A clock the contract suite moves: `now` for the store, `advance` for the test. */
export interface TestClock {
  /** Epoch milliseconds; pass it as the store's `now` option. */
  readonly now: Clock;
  /** Moves time forward by `ms` milliseconds (a real clock sleeps that long instead). */
  advance(ms: number): Promise<void>;
  /** True when `advance` sleeps because the store reads the wall clock (e.g. server-side TTLs). */
  readonly real: boolean;
}

/**
 * Creates a manual clock starting at `start` epoch ms that moves only when `advance` is called,
 * so TTL tests need no sleeping.
 *
 * @example const clock = createTestClock(); const store = createMemoryStore({ now: clock.now });
 */
export function createTestClock(start: number = Date.UTC(2026, 0, 1)): TestClock {
  let current = start;
  return {
    now: () => current,
    async advance(ms) {
      current += ms;
    },
    real: false,
  };
}

/** A wall clock whose `advance` sleeps, for stores that cannot take an injected clock. */
export function createRealClock(): TestClock {
  return {
    now: Date.now,
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    real: true,
  };
}
