export type { NunjucksCacheOptions } from './nunjucks-cache.ts';
export { nunjucksCache } from './nunjucks-cache.ts';
