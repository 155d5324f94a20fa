import { inspect } from 'node:util';
import { isExpiredTtl } from '@larder/core';
import type { RedisRunner } from './redis-runner.ts';
import { asCounter, readValue } from './redis-value.ts';
import { INCREMENT, REPLACE_WITH_COUNTER } from './scripts.ts';

/** What a counter needs from its store. */
export interface CounterContext {
  readonly runner: RedisRunner;
  /** The Redis key of a store key. */
  full(key: string): string;
  /** The PX argument of a ttl in seconds; `''` for none. */
  px(ttl: number): string;
  /** The store's default ttl applied to `ttl`. */
  ttlOf(ttl: number | undefined): number;
  now(): number;
  getRaw(key: string): Promise<Buffer | null>;
  remove(key: string): Promise<unknown>;
}

/**
 * `increment` (and `decrement`, with a negative delta) on Redis integers: one INCRBY in a script
 * that sets the ttl only when it creates the counter.
 */
export function createCounter(ctx: CounterContext) {
  const { runner, full, px } = ctx;

  async function count(key: string, delta: number, ttl: number | undefined): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      throw new RangeError(
        `redis store: increment delta must be a safe integer, got ${inspect(delta)}`,
      );
    }
    const seconds = ctx.ttlOf(ttl);
    if (isExpiredTtl(seconds)) {
      await ctx.remove(key);
      return delta;
    }
    // A key holding a frame is the caller's business, not a sick Redis: it must not trip the breaker.
    let notInteger: unknown;
    const value = await runner.call((c) =>
      c.eval(INCREMENT, 1, full(key), delta, px(seconds)).catch((error: Error) => {
        if (!/not an integer/.test(error.message)) throw error;
        notInteger = error;
        return undefined;
      }),
    );
    return notInteger === undefined ? Number(value) : convert(key, delta, seconds, notInteger);
  }

  // The key holds a frame (`set(key, 5, ttl)` keeps its expiry that way): turn it into a Redis
  // integer, compare-and-set so a concurrent write is never lost, then count as usual.
  async function convert(key: string, delta: number, seconds: number, cause: unknown) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const raw = await ctx.getRaw(key);
      if (raw === null || asCounter(raw) !== undefined) return count(key, delta, seconds);
      const value = readValue(key, raw, ctx.now());
      if (value !== undefined && !Number.isSafeInteger(value)) {
        throw new TypeError(
          `redis store: cannot increment ${inspect(key)}, it holds a non-integer`,
        );
      }
      // Unreadable or expired by our clock: a missing key counts as 0, with the counter's ttl.
      const next = value === undefined ? delta : (value as number) + delta;
      const expiry = value === undefined ? px(seconds) : '';
      const replaced = await runner.call((c) =>
        c.eval(REPLACE_WITH_COUNTER, 1, full(key), raw, next, expiry),
      );
      if (replaced === 1) return next;
    }
    throw cause;
  }

  return count;
}
