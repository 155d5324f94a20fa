import { inspect } from 'node:util';
import { isToken } from '../header-syntax.ts';
import type { HeaderValue } from './types.ts';

/**
 * What a route accepts of a request's `Cookie` header (the `cookies` option of `responseCache`):
 * `false` — a request carrying any cookie is neither served from nor stored in the cache (the
 * default, as Varnish's built-in VCL passes such requests); `true` — every cookie is allowed and
 * none is keyed (the page is the same whatever the cookies say); or an object naming cookies that
 * do not change the page (`ignore`, e.g. analytics cookies; a trailing `*` matches a name prefix,
 * `'_ga_*'`) and cookies whose values select the page (`key`, e.g. a theme). A request carrying a
 * cookie named in neither list bypasses the cache.
 */
export type CookieOption =
  | boolean
  | {
      readonly ignore?: readonly string[] | undefined;
      readonly key?: readonly string[] | undefined;
    };

/** {@link CookieOption} after validation. */
export interface CookiePolicy {
  /** Any cookie is allowed and none is keyed. */
  readonly all: boolean;
  /** Cookie names ignored exactly. */
  readonly ignore: ReadonlySet<string>;
  /** Name prefixes ignored (from `'prefix*'` entries). */
  readonly ignorePrefixes: readonly string[];
  /** Keyed cookie names, sorted, without duplicates. */
  readonly key: readonly string[];
}

const NONE: CookiePolicy = { all: false, ignore: new Set(), ignorePrefixes: [], key: [] };
const ALL: CookiePolicy = { ...NONE, all: true };
/** Separates keyed cookies in the key component; Node's parser refuses it in header values. */
const FIELD = '\u0001';

/** Validates the `cookies` option; `fn` names the function in error messages. */
export function cookiePolicy(value: unknown, fn: string): CookiePolicy {
  if (value === undefined || value === false) return NONE;
  if (value === true) return ALL;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${fn}: option "cookies" must be true, false or { ignore?, key? }, got ${inspect(value)}`,
    );
  }
  for (const name of Object.keys(value)) {
    if (name !== 'ignore' && name !== 'key') {
      throw new TypeError(
        `${fn}: option "cookies" has an unknown field ${inspect(name)} (expected ignore or key)`,
      );
    }
  }
  const { ignore = [], key = [] } = value as { ignore?: unknown; key?: unknown };
  const ignored = names(ignore, 'ignore', fn, true);
  const keyed = names(key, 'key', fn, false);
  for (const name of keyed) {
    if (ignored.includes(name)) {
      throw new TypeError(
        `${fn}: option "cookies" both ignores and keys the cookie ${inspect(name)}`,
      );
    }
  }
  return {
    all: false,
    ignore: new Set(ignored.filter((name) => !name.endsWith('*'))),
    ignorePrefixes: ignored.filter((name) => name.endsWith('*')).map((name) => name.slice(0, -1)),
    key: [...new Set(keyed)].sort(),
  };
}

function names(value: unknown, field: string, fn: string, prefixes: boolean): string[] {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `${fn}: option "cookies.${field}" must be an array of cookie names, got ${inspect(value)}`,
    );
  }
  for (const name of value) {
    const bare =
      prefixes && typeof name === 'string' && name.endsWith('*') ? name.slice(0, -1) : name;
    // RFC 6265 §4.1.1: a cookie name is a token.
    if (typeof bare !== 'string' || !isToken(bare)) {
      throw new TypeError(
        `${fn}: option "cookies.${field}" contains an invalid cookie name ${inspect(name)}`,
      );
    }
  }
  return value as string[];
}

/**
 * The key component for a request's `Cookie` header under `policy`: `''` when no keyed cookie is present,
 * the keyed cookies' values otherwise, or `undefined` when the request carries a cookie the route
 * neither ignores nor keys (it then bypasses the cache). Never throws.
 */
export function cookieComponent(
  header: HeaderValue | undefined,
  policy: CookiePolicy,
): string | undefined {
  if (header === undefined || policy.all) return '';
  const text = typeof header === 'string' ? header : String(header);
  const keyed = policy.key;
  const values: (string[] | undefined)[] = keyed.length === 0 ? [] : new Array(keyed.length);
  // RFC 6265 §4.2.1: cookie-pair *( ";" SP cookie-pair ); be lenient about spaces, as servers are.
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    // An empty pair (`a=1;;b=2`, a trailing `;`) names no cookie.
    if (eq === -1 && name === '') continue;
    const at = keyed.indexOf(name);
    if (at !== -1) {
      const value = eq === -1 ? '' : pair.slice(eq + 1).trim();
      const list = values[at];
      if (list === undefined) values[at] = [value];
      else list.push(value);
    } else if (!ignored(name, policy)) return undefined;
  }
  // No keyed cookie present keys as a request without cookies.
  if (!values.some((list) => list !== undefined)) return '';
  let out = '';
  for (const list of values) out += list === undefined ? FIELD : `${FIELD}=${list.join(FIELD)}`;
  return out;
}

function ignored(name: string, policy: CookiePolicy): boolean {
  if (policy.ignore.has(name)) return true;
  for (const prefix of policy.ignorePrefixes) if (name.startsWith(prefix)) return true;
  return false;
}
