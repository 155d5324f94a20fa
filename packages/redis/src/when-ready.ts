import type { Cluster, Redis } from 'ioredis';

const waiting = new WeakMap<Redis | Cluster, Promise<void>>();

/**
 * Resolves `client` once its connection is ready, or rejects after `timeoutMs`. Commands are sent
 * only then: ioredis would otherwise hold them in its offline queue and run them on reconnect, long
 * after their caller gave up, so a lock taken then would have no owner to release it and a write
 * would land out of turn. A `lazyConnect` client is connected here.
 */
export function whenReady(client: Redis | Cluster, timeoutMs: number): Promise<Redis | Cluster> {
  if (client.status === 'ready') return Promise.resolve(client);
  if (client.status === 'end') return Promise.reject(new Error('Redis is not connected (closed)'));
  if (client.status === 'wait') client.connect().catch(() => {});
  // One 'ready' listener per client, however many callers wait.
  let ready = waiting.get(client);
  if (ready === undefined) {
    ready = new Promise<void>((resolve) => client.once('ready', resolve)).finally(() =>
      waiting.delete(client),
    );
    waiting.set(client, ready);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis is not connected (${client.status})`)),
      timeoutMs,
    );
    (ready as Promise<void>).then(() => {
      clearTimeout(timer);
      resolve(client);
    });
  });
}
