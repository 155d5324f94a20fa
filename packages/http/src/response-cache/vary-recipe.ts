import Negotiator from 'negotiator';
import { headerComponent, learnedVariant } from './cache-key.ts';
import { LanguageKeyer } from './language.ts';
import type { HeaderRecord } from './types.ts';

/** The entry format tag shared with entry.ts; a recipe with another tag reads as a miss. */
const FORMAT = 1;
/** Most fields a recipe may name; a longer `Vary` is not learned (the response is not stored). */
const MAX_FIELDS = 16;
/** Keys whose variants are counted, per process; the counts are dropped when full. */
const COUNTED_KEYS = 10_000;
/** Separates the fields' values in a variant key; Node's parser refuses it in header values. */
const FIELD = '\u0001';
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * What the base key of a request holds once a response for it said `Vary` on request fields the
 * key does not hold: the recipe — those fields, lower-case and sorted — so the next lookup, in any
 * process sharing the store, finds the variant its own values select (Django's learn_cache_key and
 * get_cache_key, with the list kept where the entry would be rather than under a second key).
 */
export interface RecipeMarker {
  readonly v: typeof FORMAT;
  /** The request fields the variants are selected by. */
  readonly r: readonly string[];
}

/** The recipe a value read from the store holds, or `undefined` when it is not a (valid) recipe. */
export function readRecipe(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const marker = value as Partial<RecipeMarker>;
  const fields = marker.r;
  if (marker.v !== FORMAT || !Array.isArray(fields) || fields.length === 0) return undefined;
  if (fields.length > MAX_FIELDS) return undefined;
  for (const field of fields) if (typeof field !== 'string' || !TOKEN.test(field)) return undefined;
  return fields as readonly string[];
}

/** Where a response goes: the key its coding variants hang from, and the recipe to write at the base. */
export interface Placement {
  /** The base key for this response: the request's own, or its learned variant. */
  readonly key: string;
  /** The recipe marker to write at the request's base key, when the response varies by request fields. */
  readonly recipe: RecipeMarker | undefined;
}

/**
 * Turns learned recipes into variant keys for one response cache: each field's value normalised so
 * that equivalent requests share a variant — `Accept-Language` to the language negotiated among the
 * `languages` option (or, without it, to the client's whole preference order), any other field with
 * its whitespace folded (RFC 9111 §4.1) — and bounds the variants per key.
 */
export class VaryKeyer {
  readonly #languages: LanguageKeyer | undefined;
  readonly #preferences = new Map<string, string>();
  readonly #variants = new Map<string, Set<string>>();

  constructor(
    languages: readonly string[] | undefined,
    private readonly maxVariants: number,
  ) {
    this.#languages = languages === undefined ? undefined : new LanguageKeyer(languages);
  }

  /** The key of the variant of `base` that `headers` select under `recipe`. */
  variantKey(base: string, recipe: readonly string[], headers: HeaderRecord): string {
    let values = '';
    for (const field of recipe) {
      const value = headers[field];
      // An absent field only matches an absent field (RFC 9111 §4.1).
      if (value === undefined) values += FIELD;
      else if (field === 'accept-language') values += `${FIELD}=${this.#language(value)}`;
      else values += `${FIELD}=${headerComponent(value) ?? ''}`;
    }
    return learnedVariant(base, values);
  }

  /**
   * Where to store a response for a request whose base key is `base`, given the fields its `Vary`
   * adds (`learned`, sorted); `undefined` when the key already holds `maxVariants` other variants.
   */
  place(base: string, learned: readonly string[], headers: HeaderRecord): Placement | undefined {
    if (learned.length === 0) return { key: base, recipe: undefined };
    if (learned.length > MAX_FIELDS) return undefined;
    const key = this.variantKey(base, learned, headers);
    let seen = this.#variants.get(base);
    if (seen === undefined) {
      if (this.#variants.size >= COUNTED_KEYS) this.#variants.clear();
      seen = new Set();
      this.#variants.set(base, seen);
    }
    if (!seen.has(key)) {
      if (seen.size >= this.maxVariants) return undefined;
      seen.add(key);
    }
    return { key, recipe: { v: FORMAT, r: learned } };
  }

  /** Forgets the variants counted under keys starting with `scope` (after an invalidation). */
  forget(scope: string | undefined): void {
    if (scope === undefined) return;
    for (const base of this.#variants.keys())
      if (base.startsWith(scope)) this.#variants.delete(base);
  }

  #language(value: HeaderRecord[string]): string {
    const text = typeof value === 'string' ? value : String(value);
    if (this.#languages !== undefined) return this.#languages.choose(text);
    let known = this.#preferences.get(text);
    if (known === undefined) {
      // Without the app's languages, only the whole preference order tells what the app will pick.
      const ordered = new Negotiator({ headers: { 'accept-language': text } }).languages();
      known = headerComponent(ordered.join(',').toLowerCase()) ?? '';
      if (text.length <= 256) {
        if (this.#preferences.size >= 500) this.#preferences.clear();
        this.#preferences.set(text, known);
      }
    }
    return known;
  }
}
