export type {
  OptionalStoreMethod,
  StoreContractClause,
  StoreContractContext,
} from './clause.ts';
export { clause } from './clause.ts';
export type { TestClock } from './clock.ts';
export { createRealClock, createTestClock } from './clock.ts';
export type { StoreContractOptions, StoreFactory } from './run.ts';
export { runClause, runStoreContract, skipReason, storeContract } from './run.ts';
