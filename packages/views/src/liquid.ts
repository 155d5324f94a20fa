export type { LiquidCacheOptions } from './liquid-cache.ts';
export { liquidCache } from './liquid-cache.ts';
