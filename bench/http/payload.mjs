/**
 * The work every contender's route does: a deterministic CPU cost (chained SHA-256, about 2 ms on
 * the reference machine) and a JSON body of exactly 2 KiB.
 */
import { createHash } from 'node:crypto';

/** Size of every response body, in bytes. */
export const BODY_SIZE = 2048;

/** SHA-256 rounds per slow request: about 2 ms of CPU on the 2-core reference machine. */
export const WORK_ROUNDS = 1000;

const seed = Buffer.alloc(BODY_SIZE, 7);

/** Burns a fixed amount of CPU and returns a digest so the loop cannot be optimised away. */
export function work(rounds = WORK_ROUNDS) {
  let digest = seed;
  for (let i = 0; i < rounds; i++) {
    digest = createHash('sha256').update(digest).update(seed).digest();
  }
  return digest;
}

/** A plain object whose `JSON.stringify` is exactly `BODY_SIZE` bytes; `id` makes it distinct. */
export function payload(id = 0) {
  const items = [];
  for (let n = 0; n < 24; n++) {
    items.push({ n, name: `item-${n}`, price: (n * 7.25).toFixed(2), tags: ['larder', 'bench'] });
  }
  const data = { id, items, pad: '' };
  const missing = BODY_SIZE - Buffer.byteLength(JSON.stringify(data));
  if (missing < 0) throw new RangeError(`payload: body exceeds ${BODY_SIZE} bytes`);
  data.pad = 'x'.repeat(missing);
  return data;
}

/** The bytes every contender must answer on the benchmark routes. */
export const BODY = Buffer.from(JSON.stringify(payload()));

/** Measures one slow request's CPU cost in milliseconds (median of 51 runs). */
export function measureWork() {
  const times = [];
  for (let i = 0; i < 51; i++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[25];
}
