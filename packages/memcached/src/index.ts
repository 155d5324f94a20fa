export type { MemcachedStore } from './memcached-store.ts';
export { createMemcachedStore } from './memcached-store.ts';
export type { MemcachedStoreOptions } from './options.ts';
