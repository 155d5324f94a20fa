export type { EjsModule, ExpressViewEngine } from './ejs-async-engine.ts';
export { ejsAsyncEngine } from './ejs-async-engine.ts';
export type { FragmentBlock, FragmentCache, FragmentCacheOptions } from './fragment-cache.ts';
export { createFragmentCache } from './fragment-cache.ts';
export type {
  FragmentBody,
  FragmentHelper,
  FragmentHelperOptions,
  FragmentSettings,
} from './fragment-helper.ts';
export { createFragmentHelper } from './fragment-helper.ts';
export { templateDigest } from './fragment-key.ts';
