import { inspect } from 'node:util';

/**
 * A host as the key takes it: a DNS-style name (underscores tolerated) or a bracketed IP literal,
 * with an optional port (RFC 9110 §7.2, RFC 3986 §3.2.2), lower-cased. Anything else (a path, a
 * space, a userinfo, 300 characters) is not keyed: the request bypasses the cache.
 */
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_.-]{0,252})|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The `hosts` allow-list after validation. */
export interface HostPolicy {
  /** Entries with a port, matched exactly (`'localhost:3000'`). */
  readonly exact: ReadonlySet<string>;
  /** Entries without a port, matched on any port (`'example.com'`). */
  readonly names: ReadonlySet<string>;
}

/** Validates the `hosts` option; `fn` names the function in error messages. */
export function hostPolicy(value: unknown, fn: string): HostPolicy | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      `${fn}: option "hosts" must be a non-empty array of host names, got ${inspect(value)}`,
    );
  }
  const exact = new Set<string>();
  const names = new Set<string>();
  for (const entry of value) {
    const host = typeof entry === 'string' ? entry.toLowerCase() : undefined;
    if (host === undefined || !HOST.test(host)) {
      throw new TypeError(`${fn}: option "hosts" contains an invalid host ${inspect(entry)}`);
    }
    (portOf(host) === -1 ? names : exact).add(host);
  }
  return { exact, names };
}

/** Index of the `:` before a port, or -1 (an IPv6 literal's colons are inside its brackets). */
function portOf(host: string): number {
  const colon = host.lastIndexOf(':');
  return colon === -1 || colon < host.lastIndexOf(']') ? -1 : colon;
}

/** Normalises hosts, remembering the last one: an app mostly answers under one host name. */
export class HostKeyer {
  #raw: string | undefined;
  #normal: string | undefined;

  constructor(private readonly policy: HostPolicy | undefined) {}

  /**
   * The host component of a key for the framework's trusted host: lower-case, port kept; or
   * `undefined` when it is malformed, missing, or not on the allow-list (the request bypasses).
   */
  keyOf(raw: string | undefined): string | undefined {
    if (raw === this.#raw && raw !== undefined) return this.#normal;
    const normal = this.#normalise(raw);
    this.#raw = raw;
    this.#normal = normal;
    return normal;
  }

  #normalise(raw: string | undefined): string | undefined {
    if (raw === undefined || raw === '') return undefined;
    const host = raw.toLowerCase();
    if (!HOST.test(host)) return undefined;
    const policy = this.policy;
    if (policy === undefined || policy.exact.has(host)) return host;
    const colon = portOf(host);
    return policy.names.has(colon === -1 ? host : host.slice(0, colon)) ? host : undefined;
  }
}
