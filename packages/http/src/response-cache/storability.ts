import { parseCacheControl } from '../cache-control.ts';
import { headerText, isToken, splitList } from '../header-syntax.ts';
import { codingBit } from './encoding.ts';
import { cacheControlRefusal } from './strict-cache-control.ts';
import type { BypassReason, CapturedResponse, HeaderValue } from './types.ts';

/** What the storability check needs to know beyond the response. */
export interface StorePolicy {
  /** Request header names the key varies on, lower-case: a response may `Vary` on these only. */
  readonly keyed: ReadonlySet<string>;
  readonly allowPrivate: boolean;
  readonly maxBodySize: number;
}

/** The verdict on a response: a refusal reason, or the header fields to leave out of the entry. */
export type Storability =
  | { readonly ok: false; readonly reason: BypassReason }
  | {
      readonly ok: true;
      readonly omit: readonly string[];
      /** False when the response forbids serving it stale (`must-revalidate`, `proxy-revalidate`). */
      readonly staleAllowed: boolean;
      /**
       * True when the response carries a content coding or says `Vary: Accept-Encoding`: it is
       * stored per set of accepted codings; otherwise one entry serves every client.
       */
      readonly byCoding: boolean;
      /**
       * Request fields the response's `Vary` names beyond those the key already holds (and
       * `Accept-Encoding`, handled by coding): lower-case, sorted. The entry is stored as a
       * variant selected by their values, and the list is remembered for the key (Django's
       * learn_cache_key).
       */
      readonly learned: readonly string[];
    };

const NOTHING: readonly string[] = [];

/**
 * Decides whether a finished response may be stored, safe by default. `codings` is the set of
 * content codings the request accepted (see `acceptedCodings`).
 */
export function checkStorable(
  response: CapturedResponse,
  codings: number,
  policy: StorePolicy,
): Storability {
  // GET/HEAD 200 only: a conformant subset of what RFC 9111 §3 allows, and the one every app expects.
  if (response.status !== 200) return { ok: false, reason: 'status' };
  const headers = response.headers;
  // A cookie set for one client must never reach another.
  if (present(headers['set-cookie'])) return { ok: false, reason: 'set-cookie' };
  const ccText = headerText(headerString(headers['cache-control']));
  // RFC 9111 §5.2.2.5 no-store; §5.2.2.4 unqualified no-cache (it would need revalidation on every
  // reuse, which a response cache in front of its own origin has no way to do cheaply); §5.2.2.7
  // unqualified private forbids a shared cache unless the app opts in. Matched loosely (any
  // separator, any case) and refused when any member does not parse: fail closed.
  const refusal = cacheControlRefusal(ccText, policy.allowPrivate);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const cc = parseCacheControl(ccText);
  const vary = readVary(headers.vary, policy.keyed);
  if (typeof vary === 'string') return { ok: false, reason: vary };
  let varyCoding = false;
  const learned: string[] = [];
  for (const field of vary) {
    if (field === 'accept-encoding') varyCoding = true;
    else if (!policy.keyed.has(field)) learned.push(field);
  }
  const coding = codingBit(headers['content-encoding']);
  // A coding the client did not accept, or one the key cannot tell apart, would reach clients
  // that cannot decode it.
  if (coding === -1 || (coding !== 0 && (codings & coding) === 0)) {
    return { ok: false, reason: 'content-encoding' };
  }
  if (response.body.length > policy.maxBodySize) return { ok: false, reason: 'too-large' };
  // RFC 9111 §5.2.2.4 / §5.2.2.7: the qualified forms allow storing the rest of the response.
  const omit = [
    ...(Array.isArray(cc.noCache) ? cc.noCache : NOTHING),
    ...(Array.isArray(cc.private) ? cc.private : NOTHING),
  ];
  return {
    ok: true,
    omit: omit.length === 0 ? NOTHING : omit.map((f) => f.toLowerCase()),
    // RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.8: these forbid serving the response stale, RFC 5861
    // windows included; the entry then gets no stale windows.
    staleAllowed: cc.mustRevalidate !== true && cc.proxyRevalidate !== true,
    byCoding: coding !== 0 || varyCoding,
    learned: learned.length === 0 ? NOTHING : learned.sort(),
  };
}

/**
 * The lower-case field names a `Vary` lists, without duplicates; or why the response must not be
 * stored: `*` never matches (RFC 9111 §4.1); Cookie and Authorization make it per user — unless
 * the route keys on chosen cookies (`keyed` holds `cookie`), which it then declares are all the
 * page depends on; a member that is not a field name (`Cookie X`, `"Accept"`, `Cookie;`) cannot be
 * honoured (fail closed).
 */
function readVary(
  value: HeaderValue | undefined,
  keyed: ReadonlySet<string>,
): string[] | BypassReason {
  const text = headerText(headerString(value));
  if (text === undefined) return [];
  const fields: string[] = [];
  let refusal: BypassReason | undefined;
  for (const member of splitList(text)) {
    if (member === '*') return 'vary-star';
    if (!isToken(member)) {
      refusal ??= 'unparseable-vary';
      continue;
    }
    const field = member.toLowerCase();
    if ((field === 'cookie' && !keyed.has('cookie')) || field === 'authorization') {
      refusal = 'vary-cookie';
    }
    if (!fields.includes(field)) fields.push(field);
  }
  return refusal ?? fields;
}

function present(value: HeaderValue | undefined): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** A header as the parsers take it (string or list). */
function headerString(value: HeaderValue | undefined): string | readonly string[] | undefined {
  return typeof value === 'number' ? String(value) : value;
}
