import type { HeaderValue } from './types.ts';

/**
 * The content codings a stored body may carry, each with its bit in the encoding component of a
 * cache key. A coding outside this list is never stored (the cache could not tell who accepts it).
 */
const CODINGS: Readonly<Record<string, number>> = {
  gzip: 1,
  'x-gzip': 1,
  br: 2,
  deflate: 4,
  zstd: 8,
};
const ALL = 15;

/**
 * The set of known codings a request's `Accept-Encoding` allows, as a bit mask (0 = identity only).
 * Keying on this set keeps a compressed entry away from clients that cannot decode it (RFC 9110
 * §12.5.3) while letting any number of distinct header spellings share a handful of entries.
 * Never throws; an absent or malformed header is identity only, as compression middleware reads it.
 */
export function acceptedCodings(header: HeaderValue | undefined): number {
  if (header === undefined) return 0;
  const text = typeof header === 'string' ? header : Array.isArray(header) ? header.join(',') : '';
  if (text === '') return 0;
  // Clients send a handful of distinct values: remember them (bounded) instead of parsing each time.
  const known = memo.get(text);
  if (known !== undefined) return known;
  const codings = parseCodings(text);
  if (text.length <= 256) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, codings);
  }
  return codings;
}

const MEMO_LIMIT = 256;
const memo = new Map<string, number>();

function parseCodings(text: string): number {
  let accepted = 0;
  let refused = 0;
  let wildcard = false;
  for (const part of text.split(',')) {
    const semi = part.indexOf(';');
    const name = (semi === -1 ? part : part.slice(0, semi)).trim().toLowerCase();
    const zero = semi !== -1 && /;\s*q\s*=\s*0(?:\.0{0,3})?\s*(?:;|$)/i.test(part.slice(semi));
    const bit = name === '*' ? -1 : (CODINGS[name] ?? 0);
    if (bit === -1) wildcard = !zero;
    else if (zero) refused |= bit;
    else accepted |= bit;
  }
  return (wildcard ? ALL : accepted) & ~refused;
}

/**
 * The bit of a response's `Content-Encoding`: 0 for none or identity, -1 for a coding the cache
 * does not know or a chain of several (not storable).
 */
export function codingBit(header: HeaderValue | undefined): number {
  if (header === undefined) return 0;
  const text = (typeof header === 'string' ? header : String(header)).trim().toLowerCase();
  if (text === '' || text === 'identity') return 0;
  return CODINGS[text] ?? -1;
}
