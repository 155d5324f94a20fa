import {
  type Clock,
  checkOptions,
  type Duration,
  optionNames,
  parseDuration,
  describeValue as show,
} from '@larder/core';
import memjs from 'memjs';
import { isUsablePrefix } from './clear-log.ts';

/** Options of {@link createMemcachedStore}. */
export interface MemcachedStoreOptions {
  /**
   * A memjs client to use (`memjs.Client.create('host:port,...', { ... })`). The store never
   * closes a client it was given. Exclusive with `servers`.
   */
  readonly client?: memjs.Client;
  /**
   * The servers to connect to, as `'host:port'` strings or one comma-separated string
   * (`'user:pass@host:port'` for SASL). The store makes and owns the client.
   * @default '127.0.0.1:11211'
   */
  readonly servers?: string | readonly string[];
  /** Opens every memcached key the store writes: printable ASCII, at most 150 characters. @default 'larder:' */
  readonly prefix?: string;
  /** TTL of writes that give none. @default Infinity (no expiry; memcached evicts least recently used first) */
  readonly ttl?: Duration;
  /** How long one memcached request may take before it fails. @default 0.5 (seconds) */
  readonly timeout?: Duration;
  /**
   * The server's item size limit in bytes (memcached's `-I`, 1 MiB unless changed): a value whose
   * item would be larger is refused without being sent. @default 1048576
   */
  readonly maxItemSize?: number;
  /** Consecutive failed requests after which calls fail at once, without waiting for a timeout. @default 5 */
  readonly failures?: number;
  /** How long calls fail at once before one request probes the server again. @default 1 (second) */
  readonly probeAfter?: Duration;
  /** The clock entry expiry is measured with, epoch ms; inject one in tests. @default Date.now */
  readonly now?: Clock;
}

/** The options, checked and resolved once. */
export interface ResolvedOptions {
  readonly client: memjs.Client;
  readonly ownsClient: boolean;
  readonly prefix: string;
  readonly ttl: number;
  readonly timeout: number;
  readonly maxItemSize: number;
  readonly failures: number;
  readonly probeAfter: number;
  readonly now: Clock;
}

const FN = 'createMemcachedStore';
const KNOWN = optionNames<MemcachedStoreOptions>({
  client: true,
  servers: true,
  prefix: true,
  ttl: true,
  timeout: true,
  maxItemSize: true,
  failures: true,
  probeAfter: true,
  now: true,
});

/** Validates the options of {@link createMemcachedStore}; a bad one throws naming it and its value. */
export function resolveOptions(given?: MemcachedStoreOptions): ResolvedOptions {
  const options = checkOptions(given, KNOWN, FN);
  const prefix = options.prefix ?? 'larder:';
  if (typeof prefix !== 'string' || !isUsablePrefix(prefix)) {
    throw new TypeError(
      `${FN}: option "prefix" must be printable ASCII without spaces, at most 150 characters, got ${show(prefix)}`,
    );
  }
  const timeout = parseDuration(options.timeout ?? 0.5, FN, 'timeout');
  if (timeout === 0) throw new RangeError(`${FN}: option "timeout" must be above 0, got 0`);
  const maxItemSize = integer(options.maxItemSize, 1024 * 1024, 1024, 'maxItemSize');
  const failures = integer(options.failures, 5, 1, 'failures');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new TypeError(`${FN}: option "now" must be a function, got ${show(now)}`);
  }
  return {
    ...connect(options, timeout),
    prefix,
    ttl: parseDuration(options.ttl ?? Number.POSITIVE_INFINITY, FN, 'ttl'),
    timeout,
    maxItemSize,
    failures,
    probeAfter: parseDuration(options.probeAfter ?? 1, FN, 'probeAfter'),
    now,
  };
}

function connect(
  options: MemcachedStoreOptions,
  timeout: number,
): { client: memjs.Client; ownsClient: boolean } {
  const { client, servers } = options;
  if (client !== undefined) {
    if (servers !== undefined) {
      throw new TypeError(`${FN}: give "client" or "servers", not both`);
    }
    if (typeof client !== 'object' || client === null || typeof client.perform !== 'function') {
      throw new TypeError(`${FN}: option "client" must be a memjs Client, got ${show(client)}`);
    }
    return { client, ownsClient: false };
  }
  const list = servers ?? '127.0.0.1:11211';
  const text = typeof list === 'string' ? list : Array.isArray(list) ? list.join(',') : undefined;
  if (text === undefined || !/^[^\s,]+(,[^\s,]+)*$/.test(text)) {
    throw new TypeError(
      `${FN}: option "servers" must be 'host:port' strings (or one comma-separated string), got ${show(servers)}`,
    );
  }
  return {
    client: memjs.Client.create(text, {
      // One attempt per request: a retried set or increment could apply twice, and the store's
      // own timeout and circuit breaker decide what a failure costs.
      retries: 1,
      timeout,
      conntimeout: timeout,
      keepAlive: true,
      // memjs logs failures to the console by default; the store reports them as errors instead.
      logger: { log: () => {} },
    }),
    ownsClient: true,
  };
}

function integer(value: unknown, fallback: number, min: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `${FN}: option "${option}" must be an integer of at least ${min}, got ${show(value)}`,
    );
  }
  return value;
}
