import type { StoredEntry } from './entry.ts';

/** RFC 9110 §5.1: a field name is a token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** RFC 9110 §5.5: field values hold no CR, LF, NUL or other control character but HTAB. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Entries of the genuine memory store checked already: it keeps values by reference, so an entry
 * is checked once, not on every hit. Entries a serializing store decodes are new objects each time.
 */
const checked = new WeakSet<StoredEntry>();

/**
 * Why an entry read from the store cannot be replayed, or `undefined` when it can: a header name
 * that is not a token, a value holding CR, LF, NUL or another control character, a value that is
 * neither a string nor a list of strings, or a `Content-Length` other than the body's length (a
 * truncated or padded body would hang the client or end its response short). A store that lies,
 * a corrupt write or another program sharing the prefix are the usual causes.
 */
export function entryProblem(entry: StoredEntry): string | undefined {
  if (checked.has(entry)) return undefined;
  const headers = entry.h;
  for (const name in headers) {
    if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a token`;
    const value: unknown = headers[name];
    if (typeof value === 'string') {
      if (BAD_VALUE.test(value)) return `header ${name} holds a control character`;
    } else if (Array.isArray(value)) {
      for (const item of value as unknown[]) {
        if (typeof item !== 'string' || BAD_VALUE.test(item)) {
          return `header ${name} holds a control character or a non-string`;
        }
      }
    } else return `header ${name} is neither a string nor a list of strings`;
  }
  const length = headers['content-length'];
  if (length !== undefined && length !== String(entry.b.length)) {
    return `Content-Length ${JSON.stringify(length)} does not match the ${entry.b.length}-byte body`;
  }
  if (entry.s !== '' && !TOKEN.test(entry.s)) return 'the status slot is not a header name';
  checked.add(entry);
  return undefined;
}
