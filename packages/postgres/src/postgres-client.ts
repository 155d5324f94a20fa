import type { ListeningConnection } from './postgres-bus.ts';

/** What the store reads from a query result (a subset of pg's `QueryResult`). */
export interface PostgresResult {
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount: number | null;
}

/**
 * The client the store talks to: a `pg.Pool` (recommended), a connected `pg.Client`, or anything
 * with the same `query(text, values)`. Each store operation is a single `query` call.
 */
export interface PostgresClient {
  query(text: string, values?: unknown[]): Promise<PostgresResult>;
}

/** A connection checked out of a pool (`pg.PoolClient`), as the near cache's listener holds one. */
export interface PooledConnection extends ListeningConnection {
  /** Returns the connection; `true` destroys it instead. */
  release(destroy?: boolean): void;
}

/** A client that can also hand out a dedicated connection (`pg.Pool`). */
export interface ConnectingClient extends PostgresClient {
  connect(): Promise<PooledConnection>;
}
