import {
  type CircuitBreakerOptions,
  type Clock,
  checkOptions,
  type Duration,
  describeValue as inspect,
  type NearCacheOptions,
  optionNames,
  parseDuration,
} from '@larder/core';
import type { Cluster, Redis } from 'ioredis';

/** Options of `createRedisStore`. Give exactly one of `client` and `url`. */
export interface RedisStoreOptions {
  /**
   * An ioredis client you own: a `Redis` (standalone, or Sentinel-backed with `sentinels` and
   * `name`) or a `Cluster`. It may still be connecting, or created with `lazyConnect`; the store
   * never closes it. AUTH/ACL, TLS and `db` are the client's own options.
   */
  readonly client?: Redis | Cluster;
  /**
   * A `redis://` or `rediss://` (TLS) URL, for convenience: the store creates its own ioredis
   * client (ioredis is loaded on first use) and closes it on `close()`. Credentials in the URL
   * never appear in errors.
   */
  readonly url?: string;
  /** Prepended to every Redis key; `clear` touches only keys under it. Must not be empty. @default 'larder:' */
  readonly prefix?: string;
  /** Default TTL for entries set without one, in seconds or as a string (`'10m'`). @default Infinity (never) */
  readonly ttl?: Duration;
  /**
   * How long one Redis command may take before it fails (and counts towards opening the breaker),
   * in seconds or as a string. Commands queued while ioredis is disconnected count too.
   * @default '500ms'
   */
  readonly timeout?: Duration;
  /**
   * The circuit breaker every command runs through: after `failures` consecutive failures or
   * timeouts, commands fail at once for `probeAfter`, then one command probes Redis again.
   * @default { failures: 5, probeAfter: 1 } (seconds)
   */
  readonly breaker?: Pick<CircuitBreakerOptions, 'failures' | 'probeAfter'>;
  /**
   * An in-process tier in front of Redis, kept coherent across processes by pub/sub on a
   * dedicated connection (`client.duplicate()`). `true` for the defaults
   * (`{ maxEntries: 1000, maxBytes: 16 MiB, ttl: 5 }`); every process sharing the prefix must
   * turn it on. @default false
   */
  readonly nearCache?: boolean | NearCacheOptions;
  /** The clock frame expiry is read from, epoch ms; inject one in tests. @default Date.now */
  readonly now?: Clock;
}

/** The options after checking, with defaults filled in. */
export interface ResolvedRedisOptions {
  readonly client: Redis | Cluster | undefined;
  readonly url: string | undefined;
  readonly prefix: string;
  readonly ttl: number;
  readonly timeout: number;
  readonly breaker: Pick<CircuitBreakerOptions, 'failures' | 'probeAfter'>;
  readonly nearCache: NearCacheOptions | undefined;
  readonly now: Clock;
}

const FN = 'createRedisStore';
const KNOWN = optionNames<RedisStoreOptions>({
  client: true,
  url: true,
  prefix: true,
  ttl: true,
  timeout: true,
  breaker: true,
  nearCache: true,
  now: true,
});

/** Checks `options` once, throwing a `TypeError`/`RangeError` that names the option and value. */
export function resolveRedisOptions(given: RedisStoreOptions): ResolvedRedisOptions {
  const options = checkOptions(given, KNOWN, FN);
  const { client, url } = options;
  if ((client === undefined) === (url === undefined)) {
    throw new TypeError(`${FN}: give exactly one of options "client" and "url"`);
  }
  if (client !== undefined && !isClient(client)) {
    throw new TypeError(
      `${FN}: option "client" must be an ioredis Redis or Cluster instance, got ${inspect(client)}`,
    );
  }
  // The URL may hold a password: only its scheme is ever shown.
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//i.test(url))) {
    const shown =
      typeof url === 'string' ? `a string starting ${inspect(url.split(':')[0])}` : inspect(url);
    throw new TypeError(`${FN}: option "url" must be a redis:// or rediss:// URL, got ${shown}`);
  }
  const prefix = options.prefix ?? 'larder:';
  if (typeof prefix !== 'string' || prefix === '') {
    throw new TypeError(
      `${FN}: option "prefix" must be a non-empty string, got ${inspect(prefix)}`,
    );
  }
  const timeout = parseDuration(options.timeout ?? 0.5, FN, 'timeout');
  if (!(timeout > 0))
    throw new RangeError(
      `${FN}: option "timeout" must be above 0, got ${inspect(options.timeout)}`,
    );
  const breaker = options.breaker ?? {};
  if (typeof breaker !== 'object' || breaker === null) {
    throw new TypeError(`${FN}: option "breaker" must be an object, got ${inspect(breaker)}`);
  }
  const near = options.nearCache ?? false;
  if (typeof near !== 'boolean' && (typeof near !== 'object' || near === null)) {
    throw new TypeError(
      `${FN}: option "nearCache" must be a boolean or an object, got ${inspect(near)}`,
    );
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function')
    throw new TypeError(`${FN}: option "now" must be a function, got ${inspect(now)}`);
  return {
    client,
    url,
    prefix,
    ttl: parseDuration(options.ttl ?? Number.POSITIVE_INFINITY, FN, 'ttl'),
    timeout,
    breaker,
    nearCache: near === true ? {} : near === false ? undefined : near,
    now,
  };
}

function isClient(value: unknown): value is Redis | Cluster {
  const c = value as Partial<Redis> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.getBuffer === 'function' &&
    typeof c.duplicate === 'function' &&
    typeof c.isCluster === 'boolean'
  );
}
