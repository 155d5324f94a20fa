import {
  decodeInvalidation,
  encodeInvalidation,
  type InvalidationBus,
  type InvalidationListener,
} from '@larder/core';
import type { Cluster, Redis } from 'ioredis';

/**
 * An {@link InvalidationBus} on Redis pub/sub: `publish` goes through the store's client (and its
 * breaker, via `call`); listening uses a dedicated connection from `client.duplicate()`, since a
 * subscribed connection can run no other command. The listener is told it is cut off as soon as
 * that connection closes, and connected again only after SUBSCRIBE has been acknowledged.
 */
export function createRedisBus(
  connection: Promise<Redis | Cluster>,
  channel: string,
  call: <T>(command: () => Promise<T>) => Promise<T>,
): InvalidationBus {
  return {
    async publish(message) {
      await call(() =>
        connection.then((client) => client.publish(channel, encodeInvalidation(message))),
      );
    },
    async subscribe(listener: InvalidationListener) {
      const subscriber = (await connection).duplicate();
      let stopped = false;
      const down = () => listener.onStatus(false);
      const up = () => {
        subscriber.subscribe(channel).then(
          () => {
            if (!stopped) listener.onStatus(true);
          },
          // The connection dropped again before SUBSCRIBE: 'close' reported it, 'ready' retries.
          () => {},
        );
      };
      subscriber.on('ready', up);
      subscriber.on('close', down);
      subscriber.on('end', down);
      // Errors reach the store's callers through its own commands; the subscriber's own errors
      // (refused connection, reset) only mean "cut off", which 'close' already reports.
      subscriber.on('error', () => {});
      subscriber.on('message', (from: string, text: string) => {
        if (from !== channel) return;
        const message = decodeInvalidation(text);
        // Unreadable: drop everything rather than risk keeping what it named.
        listener.onMessage(message ?? { prefix: '' });
      });
      // A lazyConnect client hands its setting to the duplicate: connect it now.
      if (subscriber.status === 'wait') subscriber.connect().catch(() => {});
      return async () => {
        stopped = true;
        down();
        subscriber.disconnect();
      };
    },
  };
}
