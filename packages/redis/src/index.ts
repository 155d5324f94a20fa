export type { RedisStoreOptions } from './redis-options.ts';
export type { RedisStore } from './redis-store.ts';
export { createRedisStore } from './redis-store.ts';
