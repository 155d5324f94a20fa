import type { Cluster, Redis } from 'ioredis';

/** Keys asked for per SCAN step: large enough to be quick, small enough never to block Redis. */
const SCAN_COUNT = 500;

/** Escapes Redis glob metacharacters so a prefix matches only itself (`a*` must not match `ab`). */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Removes every key starting with `prefix` with SCAN + UNLINK on each master (every master of a
 * Cluster), never KEYS or FLUSHDB: other keys in the database are untouched and Redis is never
 * blocked for long. `call` runs each command (the store passes its breaker). Resolves the count.
 */
export async function scanClear(
  client: Redis | Cluster,
  prefix: string,
  call: <T>(command: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const pattern = `${globEscape(prefix)}*`;
  const cluster = client.isCluster;
  const nodes = cluster ? (client as Cluster).nodes('master') : [client as Redis];
  let removed = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await call(() =>
        node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
      );
      cursor = String(next);
      if (keys.length === 0) continue;
      if (!cluster) {
        removed += await call(() => node.unlink(...keys));
        continue;
      }
      // Keys on one node span many slots, and a multi-key UNLINK across slots fails with
      // CROSSSLOT: one UNLINK per key, pipelined to the node that owns them all.
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      const results = await call(() => pipeline.exec());
      for (const [error, count] of results ?? []) if (!error) removed += Number(count);
    } while (cursor !== '0');
  }
  return removed;
}
