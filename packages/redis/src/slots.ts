import { createRequire } from 'node:module';

// cluster-key-slot (the slot function ioredis itself uses) is CommonJS without types.
const calculateSlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

/**
 * Indexes of `keys` grouped so each group can go in one multi-key command: one group on a
 * standalone server, one per hash slot on a Cluster (a command whose keys span slots fails with
 * CROSSSLOT).
 */
export function groupBySlot(keys: readonly string[], cluster: boolean): number[][] {
  if (!cluster) return [keys.map((_, i) => i)];
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [i]);
    else group.push(i);
  });
  return [...groups.values()];
}
