// Every store operation is one of these statements. `$now` parameters come from the store's clock
// (epoch ms), so every client agrees with the rows it wrote and tests can move time.

import { createHash } from 'node:crypto';

/**
 * One statement: its SQL and the name it is prepared under on each connection (derived from the
 * SQL, so a store on another table gets other names), which spares PostgreSQL parsing and planning
 * it on every call.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** Names a statement after a digest of its SQL. */
export function statement(text: string): Statement {
  return { name: `larder_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}

/** The statements of each operation on one table (already quoted). */
export interface Statements {
  readonly get: Statement;
  readonly getMany: Statement;
  readonly set: Statement;
  readonly setMany: Statement;
  readonly add: Statement;
  readonly delete: Statement;
  readonly deleteMany: Statement;
  readonly increment: Statement;
  readonly touch: Statement;
  readonly lock: Statement;
  readonly unlock: Statement;
  readonly clearBatch: Statement;
  readonly sweepBatch: Statement;
  readonly count: Statement;
  readonly evictBatch: Statement;
}

/** Builds the statements for `table` (quoted); `stampMark` is the bytes every tag-stamp key holds. */
export function statements(table: string): Statements {
  const live = (now: string) => `(expires_at IS NULL OR expires_at > ${now})`;
  const expired = (now: string) => `${table}.expires_at <= ${now}`;
  const columns = '(key, value, counter, expires_at, inserted_at)';
  const overwrite = `ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, counter = EXCLUDED.counter,
    expires_at = EXCLUDED.expires_at, inserted_at = EXCLUDED.inserted_at`;
  const sql = {
    get: `SELECT value, counter FROM ${table} WHERE key = $1 AND ${live('$2')}`,
    getMany: `SELECT key, value, counter FROM ${table} WHERE key = ANY($1::bytea[]) AND ${live('$2')}`,
    set: `INSERT INTO ${table} ${columns} VALUES ($1, $2, $3, $4, $5) ${overwrite}`,
    setMany: `INSERT INTO ${table} ${columns}
    SELECT k, v, c, $4::bigint, $5::bigint FROM unnest($1::bytea[], $2::bytea[], $3::bigint[]) AS u(k, v, c)
    ${overwrite}`,
    // The conflict arm runs only over an expired row; concurrent inserts of one key wait on the
    // primary key and then see the winner's live row, so exactly one add stores.
    add: `INSERT INTO ${table} ${columns} VALUES ($1, $2, $3, $4, $5) ${overwrite}
    WHERE ${expired('$5')} RETURNING 1`,
    delete: `DELETE FROM ${table} WHERE key = $1 RETURNING ${live('$2')} AS live`,
    deleteMany: `DELETE FROM ${table} WHERE key = ANY($1::bytea[]) RETURNING ${live('$2')} AS live`,
    // A counter row has a NULL value. An expired row (counter or not) restarts from delta with
    // the new expiry; a live counter keeps its expiry; a live non-counter returns no row.
    increment: `INSERT INTO ${table} ${columns} VALUES ($1, NULL, $2, $3, $4)
    ON CONFLICT (key) DO UPDATE SET
      counter = CASE WHEN ${expired('$4')} THEN $2 ELSE ${table}.counter + $2 END,
      value = NULL,
      expires_at = CASE WHEN ${expired('$4')} THEN $3 ELSE ${table}.expires_at END,
      inserted_at = CASE WHEN ${expired('$4')} THEN $4 ELSE ${table}.inserted_at END
    WHERE ${expired('$4')} OR (${table}.value IS NULL AND ${table}.counter IS NOT NULL)
    RETURNING counter`,
    touch: `UPDATE ${table} SET expires_at = $2 WHERE key = $1 AND ${live('$3')}`,
    lock: `INSERT INTO ${table} ${columns} VALUES ($1, $2, NULL, $3, $4)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at,
      inserted_at = EXCLUDED.inserted_at
    WHERE ${expired('$4')} RETURNING 1`,
    unlock: `DELETE FROM ${table} WHERE key = $1 AND value = $2`,
    // Range bounds keep clear(prefix) on the primary-key index; $2 NULL means no upper bound.
    clearBatch: `DELETE FROM ${table} WHERE key IN (
      SELECT key FROM ${table} WHERE key >= $1 AND ($2::bytea IS NULL OR key < $2) LIMIT $3)`,
    sweepBatch: `DELETE FROM ${table} WHERE key IN (
      SELECT key FROM ${table} WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    count: `SELECT count(*)::bigint AS n FROM ${table}`,
    // $2 true spares the rows whose key holds the stamp mark $3 (tag and function stamps).
    evictBatch: `DELETE FROM ${table} WHERE key IN (
      SELECT key FROM ${table} WHERE NOT ($2 AND position($3::bytea IN key) > 0)
      ORDER BY inserted_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  };
  return Object.fromEntries(
    Object.entries(sql).map(([op, text]) => [op, statement(text)]),
  ) as unknown as Statements;
}
