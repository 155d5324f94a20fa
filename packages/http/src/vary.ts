/**
 * `Vary` (RFC 9110 §12.5.5): read it, and add fields to it without duplicating any. Written by hand
 * rather than with the `vary` package because that one works on a `res` object, throws on invalid
 * field names, and keeps duplicates that differ only by case in existing values.
 */
import { headerText, isToken, splitList } from './header-syntax.ts';
import type { HeaderValue } from './response-cache/types.ts';

/**
 * Reads a `Vary` value: `'*'` when any member is `*` (the response varies on something outside the
 * request), else the lower-case field names without duplicates. Invalid members are skipped.
 *
 * @example parseVary('Accept-Encoding, accept-language,Accept-Encoding') // ['accept-encoding', 'accept-language']
 */
export function parseVary(value: HeaderValue | undefined): string[] | '*' {
  const members = listMembers(value);
  if (members.some((name) => name === '*')) return '*';
  return [...new Set(members.filter(isToken).map((name) => name.toLowerCase()))];
}

/**
 * Adds field names to a `Vary` value, keeping existing spelling and order and skipping names
 * already present in any case; `*` on either side absorbs everything (RFC 9110 §12.5.5).
 *
 * @throws TypeError when a field to add is neither a token nor `*`
 * @example mergeVary('Accept-Encoding', 'accept-encoding', 'Accept-Language') // 'Accept-Encoding, Accept-Language'
 */
export function mergeVary(existing: HeaderValue | undefined, ...fields: string[]): string {
  for (const field of fields) {
    if (field !== '*' && !(typeof field === 'string' && isToken(field))) {
      throw new TypeError(`mergeVary: ${JSON.stringify(field)} is not a header field name`);
    }
  }
  const all = [...listMembers(existing).filter((name) => name === '*' || isToken(name)), ...fields];
  if (all.includes('*')) return '*';
  const seen = new Map<string, string>();
  for (const name of all) {
    const key = name.toLowerCase();
    if (!seen.has(key)) seen.set(key, name);
  }
  return [...seen.values()].join(', ');
}

function listMembers(value: HeaderValue | undefined): string[] {
  const text = headerText(value);
  return text === undefined ? [] : splitList(text);
}
