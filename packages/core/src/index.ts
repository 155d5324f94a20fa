export type { Duration } from './duration.ts';
export { parseDuration, parseOptionalDuration } from './duration.ts';
export type { Awaitable, Clock, Store, StoreCapabilities, StoreLock } from './store.ts';
export { expiresAt, isExpiredTtl } from './store.ts';
