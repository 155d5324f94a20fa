/** Small HTTP client helpers for verification and the coalescing burst. */
import { Agent, request } from 'node:http';

/** GETs a URL and resolves `{ status, headers, body }`. */
export function get(url, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Fires `count` GETs for one URL at once, each on its own connection.
 * @returns {Promise<{ ok: number, failed: number, statuses: Record<string, number>, distinctBodies: number }>}
 */
export async function burst(url, count, expected) {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const settled = await Promise.allSettled(Array.from({ length: count }, () => get(url, agent)));
  agent.destroy();
  const statuses = {};
  const bodies = new Set();
  let ok = 0;
  for (const result of settled) {
    const key = result.status === 'fulfilled' ? String(result.value.status) : 'error';
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (result.status !== 'fulfilled') continue;
    bodies.add(result.value.body.toString('latin1'));
    if (result.value.status === 200 && result.value.body.equals(expected)) ok++;
  }
  return { ok, failed: count - ok, statuses, distinctBodies: bodies.size };
}
