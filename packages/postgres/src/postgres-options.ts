import {
  type CircuitBreakerOptions,
  type Clock,
  checkCount,
  checkFunction,
  checkOptions,
  type Duration,
  describeValue,
  type NearCacheOptions,
  optionNames,
  parseDuration,
  parseOptionalDuration,
} from '@larder/core';
import type { PostgresClient } from './postgres-client.ts';
import { parseTableName, type TableName } from './schema.ts';

/** Options of {@link createPostgresStore}. Give exactly one of `client` and `connectionString`. */
export interface PostgresStoreOptions {
  /** A `pg.Pool` (or anything with its `query`); the store never ends it. */
  readonly client?: PostgresClient;
  /**
   * A connection string (`postgres://user@host:5432/db`): the store creates a `pg.Pool` with
   * `connectionTimeoutMillis`, `query_timeout` and `statement_timeout` set from `timeout`, and
   * ends it on `close()`.
   */
  readonly connectionString?: string;
  /** Connections in the pool the store creates from `connectionString`. @default 10 */
  readonly poolSize?: number;
  /** The cache table, `name` or `schema.name` (plain identifiers). @default 'larder_cache' */
  readonly table?: string;
  /** Create the table as UNLOGGED (no WAL: faster, emptied after a crash, not replicated). @default true */
  readonly unlogged?: boolean;
  /** Create the table and its indexes if absent, on first use. `false` for teams that run their own migrations. @default true */
  readonly createTable?: boolean;
  /**
   * Most rows kept. Each sweep counts the rows once and evicts the oldest-written past the bound,
   * tag and function stamps last; the table may exceed it between sweeps. @default Infinity
   */
  readonly maxEntries?: number;
  /** Time between background sweeps of expired rows, in seconds or as a string; `Infinity` turns the timer off. @default '1m' */
  readonly sweepInterval?: Duration;
  /** Longest wait for one operation (pool checkout included), in seconds or as a string; past it the operation rejects. @default '1s' */
  readonly timeout?: Duration;
  /**
   * The circuit breaker around every statement: after `failures` consecutive failures (timeouts
   * included) operations reject at once, and one is let through every `probeAfter` to see whether
   * the server is back. @default { failures: 5, probeAfter: '1s' }
   */
  readonly breaker?: Pick<CircuitBreakerOptions, 'failures' | 'probeAfter'>;
  /**
   * An in-process tier in front of the table (core's near cache), kept coherent across processes by
   * LISTEN/NOTIFY on the channel `larder_<table>`: `true` for its defaults or its options (`ttl`,
   * the longest a value is served from memory, 5 s by default; `maxEntries`; `maxBytes`). Listening
   * holds one connection: a client of its own with `connectionString`, one checked out of the pool
   * given as `client` (which must then have `connect()`, as `pg.Pool` does). @default false
   */
  readonly nearCache?: boolean | NearCacheOptions;
  /** Default TTL for entries set without one, in seconds or as a string. @default Infinity (never) */
  readonly ttl?: Duration;
  /** The clock expiry and write times are read from, in epoch ms; inject one in tests. @default Date.now */
  readonly now?: Clock;
  /** Receives errors of background sweeps (a request never sees them). @default ignore them */
  readonly onError?: (error: Error) => void;
}

/** Options after validation, in the units the store works in. */
export interface ResolvedOptions {
  readonly client: PostgresClient | undefined;
  readonly connectionString: string | undefined;
  readonly poolSize: number;
  readonly table: TableName;
  readonly unlogged: boolean;
  readonly createTable: boolean;
  readonly maxEntries: number;
  /** Milliseconds; `Infinity` for no timer. */
  readonly sweepIntervalMs: number;
  /** Milliseconds. */
  readonly timeoutMs: number;
  readonly breaker: Pick<CircuitBreakerOptions, 'failures' | 'probeAfter'>;
  readonly nearCache: NearCacheOptions | undefined;
  /** Seconds, or `undefined` for never. */
  readonly ttl: number | undefined;
  readonly now: Clock;
  readonly onError: ((error: Error) => void) | undefined;
}

const FN = 'createPostgresStore';
const KNOWN = optionNames<PostgresStoreOptions>({
  client: true,
  connectionString: true,
  poolSize: true,
  table: true,
  unlogged: true,
  createTable: true,
  maxEntries: true,
  sweepInterval: true,
  timeout: true,
  breaker: true,
  nearCache: true,
  ttl: true,
  now: true,
  onError: true,
});
const BREAKER = optionNames<Pick<CircuitBreakerOptions, 'failures' | 'probeAfter'>>({
  failures: true,
  probeAfter: true,
});

const show = describeValue;

/** Validates the options once, throwing a `TypeError` or `RangeError` that names the option and value. */
export function resolveOptions(given: PostgresStoreOptions): ResolvedOptions {
  const options = checkOptions(given as PostgresStoreOptions | undefined, KNOWN, FN);
  const { client, connectionString } = options;
  if ((client === undefined) === (connectionString === undefined)) {
    throw new TypeError(`${FN}: give exactly one of "client" and "connectionString"`);
  }
  if (client !== undefined && typeof (client as Partial<PostgresClient>)?.query !== 'function') {
    throw new TypeError(
      `${FN}: option "client" must have a query() method (a pg.Pool), got ${show(client)}`,
    );
  }
  if (
    connectionString !== undefined &&
    (typeof connectionString !== 'string' || connectionString === '')
  ) {
    throw new TypeError(
      `${FN}: option "connectionString" must be a non-empty string, got ${show(connectionString)}`,
    );
  }
  if (
    options.nearCache !== undefined &&
    options.nearCache !== false &&
    client !== undefined &&
    typeof (client as { connect?: unknown }).connect !== 'function'
  ) {
    throw new TypeError(
      `${FN}: option "nearCache" needs a "client" with connect() (a pg.Pool) to LISTEN on, or a "connectionString"`,
    );
  }
  const tableName = options.table ?? 'larder_cache';
  const table = typeof tableName === 'string' ? parseTableName(tableName) : undefined;
  if (table === undefined) {
    throw new TypeError(
      `${FN}: option "table" must be "name" or "schema.name" made of letters, digits and _ (at most 48 each), got ${show(tableName)}`,
    );
  }
  const sweepInterval = parseDuration(options.sweepInterval ?? 60, FN, 'sweepInterval');
  const timeout = parseDuration(options.timeout ?? 1, FN, 'timeout');
  if (!(timeout > 0))
    throw new RangeError(`${FN}: option "timeout" must be above 0, got ${show(options.timeout)}`);
  if (!(sweepInterval > 0)) {
    throw new RangeError(
      `${FN}: option "sweepInterval" must be above 0 (Infinity turns the timer off), got ${show(options.sweepInterval)}`,
    );
  }
  const ttl = parseOptionalDuration(options.ttl, FN, 'ttl');
  return {
    client,
    connectionString,
    poolSize: checkCount(options.poolSize, 10, FN, 'poolSize'),
    table,
    unlogged: flag(options.unlogged, true, 'unlogged'),
    createTable: flag(options.createTable, true, 'createTable'),
    maxEntries: checkCount(options.maxEntries, Number.POSITIVE_INFINITY, FN, 'maxEntries'),
    sweepIntervalMs: sweepInterval * 1000,
    timeoutMs: timeout * 1000,
    breaker: checkOptions(options.breaker, BREAKER, FN, 'breaker.'),
    nearCache: checkNearCache(options.nearCache),
    ttl: ttl === Number.POSITIVE_INFINITY ? undefined : ttl,
    now: checkFunction(options.now, FN, 'now') ?? Date.now,
    onError: checkFunction(options.onError, FN, 'onError'),
  };
}

function flag(value: boolean | undefined, fallback: boolean, option: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(`${FN}: option "${option}" must be a boolean, got ${show(value)}`);
  return value;
}

function checkNearCache(value: PostgresStoreOptions['nearCache']): NearCacheOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      `${FN}: option "nearCache" must be a boolean or an object, got ${show(value)}`,
    );
  }
  return value;
}
