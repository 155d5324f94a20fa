/**
 * The few RFC 9110 §5.6 syntax pieces the header parsers share: tokens, quoted strings, and a
 * comma-separated list split that respects quotes. Written by hand because no maintained package
 * splits a list on commas while honouring quoted strings and never throwing.
 */
import type { HeaderValue } from './response-cache/types.ts';

/** RFC 9110 §5.6.2: `token = 1*tchar`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters a quoted-string may carry (RFC 9110 §5.6.4: qdtext and quoted-pair). */
const QUOTABLE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `value` is an RFC 9110 token. */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** True when `value` can be written as a quoted-string (no control characters, nothing above U+00FF). */
export function isQuotable(value: string): boolean {
  return QUOTABLE.test(value);
}

/** Writes `value` as a token when it is one, else as a quoted-string. */
export function tokenOrQuoted(value: string): string {
  return isToken(value) ? value : quote(value);
}

/** Writes `value` as a quoted-string, escaping `"` and `\` (RFC 9110 §5.6.4). */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Joins the lines of a header into one field value (RFC 9110 §5.3: lines combine with commas).
 * Anything that is not a string, number or string list reads as absent.
 */
export function headerText(value: HeaderValue | undefined | null): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const lines = value.filter((line): line is string => typeof line === 'string');
    return lines.length > 0 ? lines.join(', ') : undefined;
  }
  return undefined;
}

/**
 * Splits a comma-separated field value into trimmed, non-empty members. A comma inside a
 * quoted-string does not split; an unterminated quote runs to the end. Linear in the input.
 */
export function splitList(text: string): string[] {
  const members: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x2c) {
      pushTrimmed(members, text.slice(start, i));
      start = i + 1;
    }
  }
  pushTrimmed(members, text.slice(start));
  return members;
}

function pushTrimmed(members: string[], member: string): void {
  const trimmed = trimOws(member);
  if (trimmed.length > 0) members.push(trimmed);
}

/** Strips optional whitespace (SP, HTAB) from both ends; a loop, so linear on any input. */
export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOws(text.charCodeAt(start))) start++;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Reads a directive argument: a quoted-string is unquoted (quoted-pairs resolved), anything else
 * is returned as is. `undefined` when the quoted form is not closed.
 */
export function unquote(value: string): string | undefined {
  if (!value.startsWith('"')) return value;
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      i++;
      if (i < value.length) out += value[i];
    } else if (ch === '"') {
      return i === value.length - 1 ? out : undefined;
    } else {
      out += ch;
    }
  }
  return undefined;
}
