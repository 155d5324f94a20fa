import type { ListeningConnection } from './postgres-bus.ts';

/** What the store reads from a query result (a subset of pg's `QueryResult`). */
export interface PostgresResult {
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** A query as pg's `QueryConfig` has it: a `name` makes it a prepared statement on each connection. */
export interface PostgresQuery {
  readonly name?: string;
  readonly text: string;
  readonly values?: unknown[];
}

/**
 * The client the store talks to: a `pg.Pool` (recommended), a connected `pg.Client`, or anything
 * with the same `query`, taking SQL text or a {@link PostgresQuery}. Each store operation is a
 * single `query` call with a named (prepared) statement.
 */
export interface PostgresClient {
  query(query: string | PostgresQuery, values?: unknown[]): Promise<PostgresResult>;
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
