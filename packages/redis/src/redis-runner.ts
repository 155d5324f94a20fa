import { setTimeout as delay } from 'node:timers/promises';
import { type CircuitBreaker, createCircuitBreaker } from '@larder/core';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedRedisOptions } from './redis-options.ts';
import { whenReady } from './when-ready.ts';

/** How a store talks to Redis: every command through readiness, timeout and circuit breaker. */
export interface RedisRunner {
  /** The client: the caller's, or the one made from `url` (resolves once ioredis is loaded). */
  readonly connection: Promise<Redis | Cluster>;
  /**
   * Runs `command` once the connection is ready, through the breaker (and so the timeout). A
   * failure while the connection is not ready says so in its message.
   */
  call<T>(command: (client: Redis | Cluster) => Promise<T>): Promise<T>;
  /** Closes the client if the runner made it; a caller's client is left alone. */
  close(): Promise<void>;
}

const FN = 'createRedisStore';

/** Creates the runner of a store from its checked options; a bad `breaker` option throws here. */
export function createRunner(resolved: ResolvedRedisOptions): RedisRunner {
  let breaker: CircuitBreaker;
  try {
    const { failures, probeAfter } = resolved.breaker;
    breaker = createCircuitBreaker({
      ...(failures === undefined ? {} : { failures }),
      ...(probeAfter === undefined ? {} : { probeAfter }),
      timeout: resolved.timeout,
    });
  } catch (error) {
    const message = (error as Error).message.replace('createCircuitBreaker:', `${FN}: "breaker"`);
    throw error instanceof RangeError ? new RangeError(message) : new TypeError(message);
  }
  const connection: Promise<Redis | Cluster> =
    resolved.client === undefined
      ? connect(resolved.url as string)
      : Promise.resolve(resolved.client);
  // Never an unhandled rejection: each command reports a failed connection itself.
  connection.catch(() => {});
  // Waiting for the connection ends a little before the command's timeout, so that the error
  // says the connection is down rather than only that nothing answered.
  const connectWaitMs = resolved.timeout * 900;

  // A timeout or an open circuit alone does not say why: add the connection's state when it is
  // not ready ('connecting', 'reconnecting', 'end'), which is the usual reason.
  async function explain(error: unknown): Promise<never> {
    const client = resolved.client ?? (await connection.catch(() => undefined));
    const status = client?.status;
    if (status === undefined || status === 'ready' || !(error instanceof Error)) throw error;
    throw new Error(`${error.message} (Redis connection ${status})`, { cause: error });
  }

  return {
    connection,
    call(command) {
      return breaker
        .run(() => connection.then((client) => whenReady(client, connectWaitMs)).then(command))
        .catch(explain);
    },
    async close() {
      if (resolved.client !== undefined) return;
      const client = await connection;
      // QUIT lets replies in flight arrive, but would wait for ever on a connection that never
      // becomes ready (a wrong password): bounded by the timeout, then the socket is closed.
      if (client.status === 'ready') {
        const timer = new AbortController();
        await Promise.race([
          client.quit().catch(() => {}),
          delay(connectWaitMs, undefined, { signal: timer.signal }).catch(() => {}),
        ]);
        timer.abort();
      }
      client.disconnect();
    },
  };
}

async function connect(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  // Failures reach callers through each command; an 'error' event without a listener would be
  // printed by ioredis, and its text can name the host.
  client.on('error', () => {});
  return client;
}
