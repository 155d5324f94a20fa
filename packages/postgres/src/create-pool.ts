import type { ListeningConnection, OpenListener } from './postgres-bus.ts';
import type { PostgresClient } from './postgres-client.ts';
import type { ResolvedOptions } from './postgres-options.ts';

/** A pool the store made itself: it ends it on close. */
export interface OwnedPool extends PostgresClient {
  end(): Promise<void>;
  /** Opens a connection of its own for LISTEN, outside the pool. */
  listen: OpenListener;
}

/**
 * Creates a `pg.Pool` for a connection string with every wait bounded: pg's defaults wait for ever
 * for a connection and for a query. `pg` is loaded on first use, so a store given a client never
 * imports it.
 */
export function createPool(connectionString: string, config: ResolvedOptions): OwnedPool {
  const timeout = Math.ceil(config.timeoutMs);
  const loaded = import('pg');
  const pool = loaded.then(({ default: pg }) => {
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
    query: async (query, values) => (await pool).query(query, values),
    async listen() {
      const { default: pg } = await loaded;
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeout });
      client.on('error', () => {}); // reported to the bus as 'end'
      await client.connect();
      // pg's typed `on` is generic over every event; the bus listens to three.
      return {
        connection: client as unknown as ListeningConnection,
        close: () => void client.end().catch(() => {}),
      };
    },
    end: () => {
      ending ??= pool.then((created) => created.end());
      return ending;
    },
  };
}
