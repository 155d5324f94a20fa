import { isToken, splitList } from '../header-syntax.ts';
import type { BypassReason } from './types.ts';

/**
 * The words that forbid a shared cache to store, found however the members are separated (a comma,
 * a semicolon — a common typo —, spaces) or cased, as nginx and Varnish match them. `no-cache` and
 * `private` count only unqualified: their `="fields"` forms allow storing the rest (RFC 9111
 * §5.2.2.4, §5.2.2.7).
 */
const FORBIDDING =
  /(?:^|[^a-z0-9!#$%&'*+.^_`|~-])(no-store|private|no-cache)(?![a-z0-9!#$%&'*+.^_`|~-])(\s*=)?/g;
/** RFC 9111 §5.2: `token [ "=" ( token / quoted-string ) ]`. */
const MEMBER =
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[^"\\]|\\.)*"))?$/;
/** Directives whose argument is delta-seconds (RFC 9111 §1.2.2; RFC 5861): digits, possibly quoted. */
const SECONDS = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);
const DIGITS = /^"?[0-9]+"?$/;

/**
 * Why a response's `Cache-Control` forbids storing it in a shared cache, or `undefined` when it
 * allows it: `no-store`, unqualified `private` (unless `allowPrivate`), unqualified `no-cache`,
 * or a member that cannot be parsed (fail closed: a header the cache cannot read is not guessed at).
 * Never throws.
 */
export function cacheControlRefusal(
  text: string | undefined,
  allowPrivate: boolean,
): BypassReason | undefined {
  if (text === undefined || text === '') return undefined;
  const lower = text.toLowerCase();
  let refusal: BypassReason | undefined;
  for (const match of lower.matchAll(FORBIDDING)) {
    const word = match[1] as 'no-store' | 'private' | 'no-cache';
    if (word === 'no-store') return 'no-store';
    // The qualified form (`private="X-User"`) names fields to drop; the strict pass checks its syntax.
    if (match[2] !== undefined) continue;
    if (word === 'private' && allowPrivate) continue;
    refusal ??= word;
  }
  if (refusal !== undefined) return refusal;
  for (const member of splitList(text)) {
    if (!MEMBER.test(member)) return 'unparseable-cache-control';
    const eq = member.indexOf('=');
    if (eq === -1) continue;
    const name = member.slice(0, eq).toLowerCase();
    if (SECONDS.has(name) && !DIGITS.test(member.slice(eq + 1))) return 'unparseable-cache-control';
    if ((name === 'private' || name === 'no-cache') && !fieldList(member.slice(eq + 1))) {
      return 'unparseable-cache-control';
    }
  }
  return undefined;
}

/** True for a qualified `private`/`no-cache` argument: a quoted, non-empty list of field names. */
function fieldList(argument: string): boolean {
  const inner = argument.startsWith('"') ? argument.slice(1, -1) : argument;
  const names = splitList(inner);
  return names.length > 0 && names.every(isToken);
}
