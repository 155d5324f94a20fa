import { describe, test } from 'node:test';
import type { Awaitable, Store } from '../store.ts';
import type { StoreContractClause, StoreContractContext } from './clause.ts';
import { atomicClauses } from './clauses-atomic.ts';
import { basicClauses } from './clauses-basic.ts';
import { binaryClauses } from './clauses-binary.ts';
import { bulkClauses } from './clauses-bulk.ts';
import { nullClauses } from './clauses-null.ts';
import { ttlClauses } from './clauses-ttl.ts';
import { createRealClock, createTestClock, type TestClock } from './clock.ts';

/** Makes a fresh, empty store for one clause, reading time from `ctx.now`. */
export type StoreFactory = (ctx: StoreContractContext) => Awaitable<Store>;

/** Options of {@link runStoreContract} and {@link runClause}. */
export interface StoreContractOptions {
  /**
   * The clock the store reads. By default each clause gets a fresh manual clock (pass `ctx.now`
   * to the store); pass your own {@link TestClock} to share one, or `'real'` for a store that
   * cannot take one (server-side TTLs): time then passes by sleeping, and clauses that jump
   * years ahead are skipped. @default a fresh createTestClock() per clause
   */
  readonly clock?: TestClock | 'real';
  /** Clauses to skip, by exact name, each with the reason shown in the test report. @default {} */
  readonly skip?: Readonly<Record<string, string>>;
  /** The clauses to run. @default storeContract (every clause) */
  readonly clauses?: readonly StoreContractClause[];
}

/** Every clause of the store contract, in the order {@link runStoreContract} registers them. */
export const storeContract: readonly StoreContractClause[] = [
  ...basicClauses,
  ...ttlClauses,
  ...atomicClauses,
  ...bulkClauses,
  ...binaryClauses,
  ...nullClauses,
];

/**
 * Why `clause` does not apply to `store`, or `undefined` when it does: an optional method is
 * missing, the store keeps nothing (or keeps values, for the null-store clause), or the clock
 * cannot jump ahead.
 */
export function skipReason(
  clause: StoreContractClause,
  store: Store,
  options: StoreContractOptions = {},
): string | undefined {
  const named = options.skip?.[clause.name];
  if (named !== undefined) return named;
  const retains = store.capabilities?.retains !== false;
  const wanted = clause.retains ?? true;
  if (wanted === true && !retains) {
    return 'store keeps nothing (capabilities.retains === false); "holds nothing" checks that instead';
  }
  if (wanted === false && retains)
    return 'only for stores that keep nothing (capabilities.retains === false)';
  for (const method of clause.needs ?? []) {
    if (typeof store[method] !== 'function')
      return `store has no ${method}() (optional capability)`;
  }
  if (clause.farFuture && options.clock === 'real')
    return 'needs an injectable clock to jump years ahead';
  return undefined;
}

/**
 * Runs one clause against a fresh store from `factory`: resolves `undefined` when it passed, the
 * skip reason when it does not apply, and rejects with the assertion error when the store breaks
 * it. Cleanups registered by the factory run afterwards either way.
 */
export async function runClause(
  clause: StoreContractClause,
  factory: StoreFactory,
  options: StoreContractOptions = {},
): Promise<string | undefined> {
  const named = options.skip?.[clause.name];
  if (named !== undefined) return named;
  const clock = options.clock === 'real' ? createRealClock() : (options.clock ?? createTestClock());
  const cleanups: Array<() => Awaitable<void>> = [];
  const ctx: StoreContractContext = {
    clock,
    now: clock.now,
    onCleanup: (task) => void cleanups.push(task),
  };
  let store: Store | undefined;
  try {
    store = await factory(ctx);
    const reason = skipReason(clause, store, options);
    if (reason !== undefined) return reason;
    await clause.run(store, ctx);
    return undefined;
  } finally {
    await store?.close?.();
    for (const task of cleanups.reverse()) await task();
  }
}

/**
 * Registers the store contract with node:test: one `describe` named after the store, one test per
 * clause, each on a fresh store from `factory`. A clause the store cannot take (a missing optional
 * method, a store that keeps nothing) is reported as skipped with the reason.
 *
 * @example
 * import { runStoreContract } from '@larder/core/testing';
 * runStoreContract('my-store', ({ now }) => createMyStore({ now }));
 */
export function runStoreContract(
  name: string,
  factory: StoreFactory,
  options: StoreContractOptions = {},
): void {
  describe(`${name} store contract`, () => {
    for (const clause of options.clauses ?? storeContract) {
      test(clause.name, async (t) => {
        const skipped = await runClause(clause, factory, options);
        if (skipped !== undefined) t.skip(skipped);
      });
    }
  });
}
