import { checkOptions, type Duration, describeValue } from '@larder/core';
import {
  createFragmentCache,
  FRAGMENT_OPTIONS,
  type FragmentCache,
  type FragmentCacheOptions,
} from './fragment-cache.ts';

/** Options of {@link createFragmentHelper}: the fragment cache's options plus the template's identity. */
export interface FragmentHelperOptions extends FragmentCacheOptions {
  /** Put in every key this helper makes (a template name, a deploy version); `''` leaves it to the user key. @default '' */
  readonly template?: string;
}

/** A block's own settings, the helper's second argument when more than a ttl is needed. */
export interface FragmentSettings {
  /** How long this fragment is reused, seconds or a string. @default the helper's `ttl` */
  readonly ttl?: Duration;
  /** Values the fragment varies on besides the key. @default [] */
  readonly vary?: readonly unknown[];
  /** This fragment's tags, added to the helper's `tags`. @default [] */
  readonly tags?: string | readonly string[];
}

/** The body of a fragment: returns its HTML (EJS's and Eta's async `include` return a promise of it). */
export type FragmentBody = () => string | PromiseLike<string>;

/**
 * The template helper: `await fragment(key, body)` or `await fragment(key, ttl | settings, body)`
 * resolves the cached HTML, or runs `body` (once for concurrent renders) and stores its HTML.
 * A key given as an array is `[key, ...vary]`. Output the result unescaped (`<%-` in EJS, `<%~` in Eta).
 */
export interface FragmentHelper {
  (key: unknown, body: FragmentBody): Promise<string>;
  (key: unknown, settings: Duration | FragmentSettings, body: FragmentBody): Promise<string>;
  /** The fragment cache behind the helper, for `invalidate` and `invalidateTags`. */
  readonly fragments: FragmentCache;
}

const FN = 'createFragmentHelper';
const WHERE = 'fragment()';
const SETTINGS = ['ttl', 'vary', 'tags'];

/**
 * Creates the `fragment()` helper for engines that call functions from templates (EJS and Eta in
 * async mode). Put it in the locals (`app.locals.fragment`, `ctx.state.fragment`) and call it with
 * `await` around an `include`. Bad or unknown options throw naming `createFragmentHelper`.
 *
 * @example
 * app.locals.fragment = createFragmentHelper({ cache, ttl: '10m' });
 * // EJS: <%- await fragment(['sidebar', user.id], '1h', () => include('sidebar')) %>
 */
export function createFragmentHelper(options?: FragmentHelperOptions): FragmentHelper {
  const { template, ...rest } = checkOptions(options, [...FRAGMENT_OPTIONS, 'template'], FN);
  if (template !== undefined && typeof template !== 'string') {
    throw new TypeError(
      `${FN}: option "template" must be a string, got ${describeValue(template)}`,
    );
  }
  const fragments = createFragmentCache(rest, FN);
  const helper = (key: unknown, second: unknown, third?: unknown): Promise<string> => {
    const body = (third === undefined ? second : third) as FragmentBody;
    if (typeof body !== 'function') {
      return Promise.reject(
        new TypeError(
          `${WHERE}: the last argument must be a function returning the HTML, got ${describeValue(body)}`,
        ),
      );
    }
    const settings = third === undefined ? undefined : second;
    const [first, ...vary] = Array.isArray(key) ? key : [key];
    let own: FragmentSettings = {};
    if (typeof settings === 'number' || typeof settings === 'string') own = { ttl: settings };
    else if (settings !== undefined) {
      try {
        own = checkOptions(settings as FragmentSettings, SETTINGS, WHERE);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return fragments.render(
      {
        key: first,
        vary: own.vary === undefined ? vary : [...vary, ...own.vary],
        template: template ?? '',
        where: WHERE,
        ...(own.ttl === undefined ? {} : { ttl: own.ttl }),
        ...(own.tags === undefined ? {} : { tags: own.tags }),
      },
      body,
    );
  };
  return Object.assign(helper as FragmentHelper, { fragments });
}
