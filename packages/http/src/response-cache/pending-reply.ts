import type { Storability } from './storability.ts';
import type {
  BypassReason,
  CapturedResponse,
  HeaderRecord,
  OutgoingHeaders,
  PendingReply,
  Reply,
} from './types.ts';

/** A reply whose fill has already decided (not stored, or a stale entry instead): nothing to commit. */
class Settled implements PendingReply {
  constructor(readonly reply: Reply) {}
  review(): undefined {
    return undefined;
  }
  commit(): void {}
}

/** A reply that needs no commit. */
export function settled(reply: Reply): PendingReply {
  return new Settled(reply);
}

/**
 * A storable response's reply, sent before the store decision: `commit` stores it (and releases
 * the requests waiting on this fill) unless the headers actually written say otherwise, e.g. a
 * `Set-Cookie` that a session middleware before the cache added when the head went out.
 */
export class PendingStore implements PendingReply {
  #committed = false;

  constructor(
    private readonly captured: CapturedResponse,
    readonly reply: Reply,
    /** The storability check the fill made on the captured response, to run again on late fields. */
    private readonly check: (response: CapturedResponse) => Storability,
    /** The status headers of a reply refused for a reason. */
    private readonly refused: (reason: BypassReason) => OutgoingHeaders,
    /** Stores (`undefined`) or refuses (a reason) and releases the waiters; called once. */
    private readonly decide: (late: BypassReason | undefined) => void,
  ) {}

  review(status: number, written: HeaderRecord): OutgoingHeaders | undefined {
    if (this.#committed) return undefined;
    const late = this.#lateReason(status, written);
    return late === undefined ? undefined : this.refused(late);
  }

  commit(status: number, written: HeaderRecord): void {
    if (this.#committed) return;
    this.#committed = true;
    this.decide(this.#lateReason(status, written));
  }

  /** Why the head as written (after hooks and outer middleware) forbids storing, if it does. */
  #lateReason(status: number, written: HeaderRecord): BypassReason | undefined {
    if (status !== this.reply.status) return 'status';
    // A session middleware before the cache sets its cookie when the head is written
    // (express-session) or after the cache returned (koa-session): the page is that user's.
    const cookie = written['set-cookie'];
    if (cookie !== undefined && !(Array.isArray(cookie) && cookie.length === 0)) {
      return 'set-cookie';
    }
    const cc = written['cache-control'];
    const captured = this.captured;
    if (cc !== undefined && String(cc) !== String(captured.headers['cache-control'] ?? '')) {
      const verdict = this.check({
        ...captured,
        headers: { ...captured.headers, 'cache-control': cc },
      });
      if (!verdict.ok) return verdict.reason;
    }
    return undefined;
  }
}
