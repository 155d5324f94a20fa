import type { CircuitBreaker } from '@larder/core';
import type { Client } from 'memjs';
import { type Reply, STATUS, send } from './binary-protocol.ts';

/** Sends one request through the circuit breaker (which also applies the timeout). */
export type Call = (
  opcode: number,
  key: string,
  extras?: Buffer,
  value?: Uint8Array,
  cas?: Buffer,
) => Promise<Reply>;

/** The store's way to memcached: every request through `breaker`. */
export function createCall(client: Client, breaker: CircuitBreaker): Call {
  return (opcode, key, extras, value, cas) =>
    breaker.run(() => send(client, opcode, key, extras, value, cas));
}

/** Returns `reply` when its status is success or one of `allowed`; throws naming `operation` otherwise. */
export function check(reply: Reply, operation: string, ...allowed: number[]): Reply {
  if (reply.status !== STATUS.ok && !allowed.includes(reply.status)) {
    throw new Error(`memcached store: ${operation} answered status 0x${reply.status.toString(16)}`);
  }
  return reply;
}
