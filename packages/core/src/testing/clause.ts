import type { Awaitable, Clock, Store } from '../store.ts';
import type { TestClock } from './clock.ts';

/** The optional {@link Store} methods a clause may need; it is skipped when one is absent. */
export type OptionalStoreMethod =
  | 'has'
  | 'add'
  | 'getMany'
  | 'setMany'
  | 'deleteMany'
  | 'increment'
  | 'decrement'
  | 'clear'
  | 'touch';

/** What a clause (and the store factory) receives besides the store. */
export interface StoreContractContext {
  /** The clock the store must read; the clause moves it with `clock.advance(ms)`. */
  readonly clock: TestClock;
  /** Shorthand for `clock.now`, to pass as a store's `now` option. */
  readonly now: Clock;
  /** Registers teardown work (removing a temp directory, closing a client) run after the clause. */
  onCleanup(task: () => Awaitable<void>): void;
}

/** One rule of the store contract: a name stating the behaviour and an async check that throws on failure. */
export interface StoreContractClause {
  readonly name: string;
  /** Optional methods used; a store lacking one skips the clause. */
  readonly needs?: readonly OptionalStoreMethod[];
  /**
   * `true`: only for stores that keep values (skipped when `capabilities.retains === false`);
   * `false`: only for stores that keep nothing; `'any'`: for every store. @default true
   */
  readonly retains?: boolean | 'any';
  /** Needs time to jump far ahead, which a real (sleeping) clock cannot do. @default false */
  readonly farFuture?: boolean;
  run(store: Store, ctx: StoreContractContext): Promise<void>;
}

/** Declares a clause; a typed identity so clause lists read as data. */
export function clause(definition: StoreContractClause): StoreContractClause {
  return definition;
}
