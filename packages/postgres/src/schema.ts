import type { PostgresClient } from './postgres-client.ts';

/** A table name split into its optional schema and the table itself, both as written. */
export interface TableName {
  readonly schema: string | undefined;
  readonly table: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Parses `table` or `schema.table` (plain identifiers only), or `undefined` when it is neither. */
export function parseTableName(name: string): TableName | undefined {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) return undefined;
  return parts.length === 2
    ? { schema: parts[0], table: parts[1] as string }
    : { schema: undefined, table: parts[0] as string };
}

/** The table as it appears in SQL: each part double-quoted, so case is kept as written. */
export function quoteTable({ schema, table }: TableName): string {
  return schema === undefined ? `"${table}"` : `"${schema}"."${table}"`;
}

/**
 * The DDL of the cache table: one row per key. `value` holds a codec frame, or is NULL for a
 * counter, whose integer is in `counter` so that increment is one atomic UPDATE. Times are epoch
 * milliseconds; a NULL `expires_at` never expires. `withInsertedIndex` adds the index that
 * eviction by `maxEntries` reads oldest-first.
 */
export function schemaSql(name: TableName, unlogged: boolean, withInsertedIndex: boolean): string {
  const table = quoteTable(name);
  const statements = [
    `CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${table} (
  key bytea PRIMARY KEY,
  value bytea,
  counter bigint,
  expires_at bigint,
  inserted_at bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS "${name.table}_expires_at" ON ${table} (expires_at) WHERE expires_at IS NOT NULL`,
  ];
  if (withInsertedIndex) {
    statements.push(
      `CREATE INDEX IF NOT EXISTS "${name.table}_inserted_at" ON ${table} (inserted_at)`,
    );
  }
  return `${statements.join(';\n')};`;
}

// Two processes creating the table at once can both pass IF NOT EXISTS and then collide in the
// catalog (unique_violation on pg_type, duplicate_table, duplicate_object); the loser retries and
// then finds the table.
const CREATE_RACE = new Set(['23505', '42P07', '42710']);

/** Runs the DDL, retrying when another process created the same objects at the same moment. */
export async function createSchema(client: PostgresClient, ddl: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(ddl);
      return;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= 3 || typeof code !== 'string' || !CREATE_RACE.has(code)) throw error;
    }
  }
}
