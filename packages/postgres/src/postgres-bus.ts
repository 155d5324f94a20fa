import {
  decodeInvalidation,
  encodeInvalidation,
  type InvalidationBus,
  type InvalidationListener,
} from '@larder/core';
import { type Statement, statement } from './statements.ts';

/** A connection held open for LISTEN (a `pg.Client`, or a `pg.PoolClient` checked out for good). */
export interface ListeningConnection {
  query(text: string): Promise<unknown>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): unknown;
  on(event: 'error' | 'end', listener: () => void): unknown;
}

/** Opens a listening connection; `close` gives it up (ends it, or destroys the pooled client). */
export type OpenListener = () => Promise<{ connection: ListeningConnection; close(): void }>;

const NOTIFY = statement('SELECT pg_notify($1, $2)');
/** NOTIFY payloads are limited to 8000 bytes; past this an invalidation becomes "everything". */
const MAX_PAYLOAD = 7900;
/** Wait before listening again after the connection dropped or could not be opened. */
const RETRY_MS = 1000;

/**
 * An {@link InvalidationBus} on PostgreSQL LISTEN/NOTIFY: `publish` is one `pg_notify` statement
 * through the store's query (and so its breaker); listening holds one connection of its own. The
 * listener is told it is cut off as soon as that connection errors or ends, and connected again
 * only after LISTEN has returned on a new one.
 */
export function createPostgresBus(
  channel: string,
  query: (sql: Statement, values: unknown[]) => Promise<unknown>,
  open: OpenListener,
): InvalidationBus {
  return {
    async publish(message) {
      await query(NOTIFY, [channel, encodeInvalidation(message, MAX_PAYLOAD)]);
    },
    subscribe(listener: InvalidationListener) {
      let stopped = false;
      let current: { close(): void } | undefined;
      let retry: NodeJS.Timeout | undefined;

      const again = () => {
        listener.onStatus(false);
        current?.close();
        current = undefined;
        if (stopped || retry !== undefined) return;
        retry = setTimeout(() => {
          retry = undefined;
          void listen();
        }, RETRY_MS);
        retry.unref();
      };

      async function listen(): Promise<void> {
        try {
          const opened = await open();
          if (stopped) return opened.close();
          current = opened;
          let down = false;
          const drop = () => {
            if (down) return;
            down = true;
            if (current === opened) again();
          };
          opened.connection.on('error', drop);
          opened.connection.on('end', drop);
          opened.connection.on('notification', ({ channel: from, payload }) => {
            if (from !== channel) return;
            // Unreadable: drop everything rather than risk keeping what it named.
            listener.onMessage(decodeInvalidation(payload ?? '') ?? { prefix: '' });
          });
          await opened.connection.query(`LISTEN "${channel}"`);
          if (!stopped && !down) listener.onStatus(true);
        } catch {
          again();
        }
      }

      void listen();
      return () => {
        stopped = true;
        if (retry !== undefined) clearTimeout(retry);
        listener.onStatus(false);
        current?.close();
        current = undefined;
      };
    },
  };
}
