import type { CapturedResponse, OutgoingHeaders, Reply } from './types.ts';

// RFC 9110 §7.6.1 hop-by-hop and per-connection fields, and RFC 9111 §3.1's Proxy-* fields, are
// never stored. Content-Length is recomputed from the stored body; Age is generated on each reply
// (RFC 9111 §5.1).
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
  'content-length',
  'age',
]);

/**
 * The response's headers as a reply may carry them: values as strings (repeated fields as lists),
 * hop-by-hop fields, the fields named by `Connection` and the `omit` list removed.
 */
export function outgoingHeaders(
  response: CapturedResponse,
  omit: readonly string[],
  statusHeader: string | undefined,
): OutgoingHeaders {
  const source = response.headers;
  const connection = source.connection;
  const listed =
    connection === undefined
      ? undefined
      : String(connection)
          .toLowerCase()
          .split(',')
          .map((f) => f.trim());
  const out: OutgoingHeaders = {};
  for (const name of Object.keys(source)) {
    const value = source[name];
    // `__proto__` cannot be a plain own field of a record: it is never stored or replayed.
    if (value === undefined || DROPPED.has(name) || name === statusHeader || name === '__proto__') {
      continue;
    }
    if (name.startsWith('proxy-') || listed?.includes(name) || omit.includes(name)) continue;
    out[name] =
      typeof value === 'string' ? value : typeof value === 'number' ? String(value) : [...value];
  }
  out['content-length'] = String(response.body.length);
  return out;
}

/**
 * Puts the fields a qualified `no-cache="…"` or `private="…"` named back on the reply to the client
 * whose response it is: only the stored copy goes without them (RFC 9111 §3.1, §5.2.2.4,
 * §5.2.2.7). A 304 carries only its own subset (RFC 9110 §15.4.5) and gets none back.
 */
export function restoreOmitted(
  reply: Reply,
  response: CapturedResponse,
  omit: readonly string[],
): Reply {
  if (omit.length === 0 || reply.status !== 200) return reply;
  const headers = { ...reply.headers };
  for (const name of omit) {
    const value = response.headers[name];
    if (value === undefined || DROPPED.has(name)) continue;
    headers[name] =
      typeof value === 'string' ? value : typeof value === 'number' ? String(value) : [...value];
  }
  return { ...reply, headers };
}
