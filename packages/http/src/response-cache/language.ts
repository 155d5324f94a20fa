import Negotiator from 'negotiator';

/** Most distinct Accept-Language values remembered per cache; the memo is dropped when full. */
const MEMO_LIMIT = 500;
/** A well-formed language tag (RFC 5646 shape, loosely): anything else keys as "no preference". */
const TAG = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/;

/**
 * Picks the language component of a cache key from an `Accept-Language` header value, so that
 * equivalent headers share one entry and junk values cannot multiply entries.
 */
export class LanguageKeyer {
  readonly #languages: readonly string[] | undefined;
  readonly #memo = new Map<string, string>();

  /** @param languages - the app's languages; without them the client's first choice is keyed, normalised. */
  constructor(languages: readonly string[] | undefined) {
    this.#languages = languages && languages.length > 0 ? languages : undefined;
  }

  /** The normalised language for a header value: lower-case, `''` when none can be chosen. */
  choose(header: string | undefined): string {
    const value = header ?? '';
    const known = this.#memo.get(value);
    if (known !== undefined) return known;
    const chosen = this.#negotiate(value);
    // Only header values of a sane length are remembered, so hostile ones cannot fill the memo.
    if (value.length <= 256) {
      if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
      this.#memo.set(value, chosen);
    }
    return chosen;
  }

  #negotiate(value: string): string {
    const negotiator = new Negotiator({ headers: { 'accept-language': value } });
    if (this.#languages !== undefined) {
      // No acceptable language: the app answers in its first (default) language, so key that one.
      const best = negotiator.language(this.#languages as string[]) ?? this.#languages[0];
      return (best ?? '').toLowerCase();
    }
    const first = (negotiator.language() ?? '').toLowerCase();
    return TAG.test(first) ? first : '';
  }
}
