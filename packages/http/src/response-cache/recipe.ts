import { createHash } from 'node:crypto';
import { parse as parseQueryString } from 'node:querystring';
import type { Lookup } from './fill-context.ts';
import type { ResolvedOptions } from './options.ts';
import type { Space } from './space.ts';
import type { Counters } from './stats.ts';
import type { VaryKeyer } from './vary-recipe.ts';

/** What a key recipe keeps of the response cache that recorded it. */
export interface RecipeSource {
  readonly options: ResolvedOptions;
  readonly counters: Counters;
  readonly variants: VaryKeyer;
}

/**
 * How one `responseCache` layer keys a path, recorded when it stored an entry for it: its resolved
 * options (query allow-list, language, host, keyed headers, cookie rule), the store it wrote to
 * (where the `Vary`-learned recipe markers live), the app's query parser, and a fingerprint of the
 * options, so a layer with other options never has its entries read with this recipe.
 */
export interface KeyRecipe {
  readonly source: RecipeSource;
  readonly space: Space;
  /** The query parser the layer keyed with; `undefined` until a request with a query was stored. */
  readonly parseQuery: ((query: string) => unknown) | undefined;
  readonly fingerprint: string;
}

/** Most paths a book remembers; past it the book starts over (the front then passes until relearned). */
const MAX_PATHS = 10_000;

/**
 * The key recipes of one application, by path, as its `responseCache` layers recorded them. A path
 * that two layers with different options stored for is marked ambiguous: the front passes it
 * through, since only the app's routing knows which layer answers which request.
 */
export class RecipeBook {
  readonly #paths = new Map<string, KeyRecipe | null>();
  /**
   * Set once a layer stored a response for a URL a middleware before it rewrote: the rewrite may
   * depend on any request field, so no path of this app can be answered without running the app.
   */
  #rewrites = false;

  /** The recipe for `path`; `undefined` when none is known, the path is ambiguous, or the app rewrites URLs. */
  recipeOf(path: string): KeyRecipe | undefined {
    if (this.#rewrites || this.#paths.size === 0) return undefined;
    return this.#paths.get(path) ?? undefined;
  }

  /** Records what `source` stored for the request at `at` (called by the fill once it stores). */
  record(source: RecipeSource, at: Lookup): void {
    const request = at.request;
    if (request.effectiveUrl !== undefined) {
      this.#rewrites = true;
      this.#paths.clear();
      return;
    }
    const known = this.#paths.get(request.path);
    if (known === null) return;
    const fingerprint = fingerprintOf(source.options);
    const parse = request.query === '' ? undefined : (request.parseQuery ?? parseQueryString);
    if (known !== undefined) {
      if (known.fingerprint !== fingerprint || known.space !== at.space) {
        this.#paths.set(request.path, null);
        return;
      }
      // A parser already learned, or none to learn from this request.
      if (parse === undefined || known.parseQuery === parse) return;
      if (known.parseQuery !== undefined) {
        this.#paths.set(request.path, null);
        return;
      }
    }
    if (this.#paths.size >= MAX_PATHS) this.#paths.clear();
    this.#paths.set(request.path, { source, space: at.space, parseQuery: parse, fingerprint });
  }
}

const books = new WeakMap<object, RecipeBook>();

/** The recipe book of the application `scope` (created on first use by its front). */
export function recipeBookOf(scope: object): RecipeBook {
  let book = books.get(scope);
  if (book === undefined) {
    book = new RecipeBook();
    books.set(scope, book);
  }
  return book;
}

/**
 * Records the recipe of a stored entry in the book of the request's application, when that
 * application has a front (otherwise nothing is kept). A layer with a `key` function records
 * nothing: only the app can compute such a key.
 */
export function recordRecipe(source: RecipeSource, at: Lookup): void {
  const scope = at.request.scope;
  if (scope === undefined || source.options.key !== undefined) return;
  books.get(scope)?.record(source, at);
}

const fingerprints = new WeakMap<ResolvedOptions, string>();

/**
 * A digest of everything in `options` that decides a key or a reply: two layers with equal
 * fingerprints answer a request alike. Functions count by identity.
 */
export function fingerprintOf(options: ResolvedOptions): string {
  let known = fingerprints.get(options);
  if (known !== undefined) return known;
  const functions: unknown[] = [];
  const text = JSON.stringify(options, (name, value: unknown) => {
    if (name === 'store' || name === 'onError' || name === 'onBypass' || name === 'now') {
      return undefined;
    }
    if (value instanceof Set) return [...value].sort();
    if (value instanceof Map) return [...value.entries()];
    if (typeof value === 'function') {
      let index = functions.indexOf(value);
      if (index === -1) index = functions.push(value) - 1;
      return `fn${index}:${functionIds(value)}`;
    }
    if (value === Infinity) return 'Infinity';
    return value;
  });
  known = createHash('sha256').update(text).digest('base64url');
  fingerprints.set(options, known);
  return known;
}

const ids = new WeakMap<object, number>();
let nextId = 0;

/** A process-wide number per function, so two different `tags` functions never fingerprint alike. */
function functionIds(fn: object): number {
  let id = ids.get(fn);
  if (id === undefined) {
    id = nextId++;
    ids.set(fn, id);
  }
  return id;
}
