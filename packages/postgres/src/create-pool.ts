import type { PostgresClient } from './postgres-client.ts';
import type { ResolvedOptions } from './postgres-options.ts';

/** A pool the store made itself: it ends it on close. */
export interface OwnedPool extends PostgresClient {
  end(): Promise<void>;
}

/**
 * Creates a `pg.Pool` for a connection string with every wait bounded: pg's defaults wait for ever
 * for a connection and for a query. `pg` is loaded on first use, so a store given a client never
 * imports it.
 */
export function createPool(connectionString: string, config: ResolvedOptions): OwnedPool {
  const timeout = Math.ceil(config.timeoutMs);
  const pool = import('pg').then(({ default: pg }) => {
    const created = new pg.Pool({
      connectionString,
      max: config.poolSize,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      statement_timeout: timeout,
    });
    // An idle connection that dies (the server restarted) emits 'error' on the pool; unhandled,
    // it would end the process.
    created.on('error', (error) => config.onError?.(error));
    return created;
  });
  let ending: Promise<void> | undefined;
  return {
    query: async (text, values) => (await pool).query(text, values),
    end: () => {
      ending ??= pool.then((created) => created.end());
      return ending;
    },
  };
}
