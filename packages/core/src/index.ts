export type { Cache } from './cache.ts';
export { createCache } from './cache.ts';
export type { CacheOptions, RegionOptions, SetOptions, WrapOptions } from './cache-options.ts';
export {
  checkCount,
  checkFunction,
  checkOptions,
  describeValue,
  optionNames,
} from './check-option.ts';
export type { CircuitBreaker, CircuitBreakerOptions, CircuitState } from './circuit-breaker.ts';
export { CallTimeoutError, CircuitOpenError, createCircuitBreaker } from './circuit-breaker.ts';
export type { CodecEntry, FrameHeader } from './codec.ts';
export { decodeEntry, encodeEntry, readHeader, readKey } from './codec.ts';
export type { Duration } from './duration.ts';
export { parseDuration, parseOptionalDuration } from './duration.ts';
export type { FileStore, FileStoreOptions } from './file-store.ts';
export { createFileStore } from './file-store.ts';
export { getNow } from './get-now.ts';
export { decodeInvalidation, encodeInvalidation } from './invalidation-message.ts';
export type { LocalRead } from './local-read.ts';
export { localRead } from './local-read.ts';
export { memoKey } from './memo-key.ts';
export type { Memoized, MemoizeOptions } from './memoize.ts';
export type { MemoryStore, MemoryStoreOptions } from './memory-store.ts';
export { createMemoryStore, genuineMemoryGet } from './memory-store.ts';
export type {
  Invalidation,
  InvalidationBus,
  InvalidationListener,
  NearCache,
  NearCacheOptions,
} from './near-cache.ts';
export { createNearCache } from './near-cache.ts';
export type { NullStore, NullStoreOptions } from './null-store.ts';
export { createNullStore } from './null-store.ts';
export type { SharedFlightOptions, SharedFound, SharedTurn } from './shared-flight.ts';
export {
  canShareFlights,
  joinSharedFlight,
  POLL_FIRST_MS,
  POLL_MAX_MS,
  releaseLock,
} from './shared-flight.ts';
export { sizeOf } from './size-of.ts';
export type { CacheStats } from './stats.ts';
export type {
  Awaitable,
  Clock,
  CompleteStore,
  SharedStore,
  Store,
  StoreCapabilities,
  StoreLock,
} from './store.ts';
export { expiresAt, isExpiredTtl, isStore } from './store.ts';
export { CacheStoreError } from './store-error.ts';
export { RESERVED_SEGMENT } from './tags.ts';
