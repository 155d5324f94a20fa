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
