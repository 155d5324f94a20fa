import type {
  BypassReason,
  CapturedResponse,
  HeaderRecord,
  OutgoingHeaders,
  PendingReply,
  Reply,
} from './types.ts';

/** What a {@link PendingStore} asks of the fill that made it. */
interface Decider {
  lateReason(
    captured: CapturedResponse,
    reply: Reply,
    status: number,
    written: HeaderRecord,
  ): BypassReason | undefined;
  refusedHeaders(reason: BypassReason): OutgoingHeaders;
}

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
    private readonly decider: Decider,
    private readonly captured: CapturedResponse,
    readonly reply: Reply,
    /** Stores (`undefined`) or refuses (a reason) and releases the waiters; called once. */
    private readonly decide: (late: BypassReason | undefined) => void,
  ) {}

  review(status: number, written: HeaderRecord): OutgoingHeaders | undefined {
    if (this.#committed) return undefined;
    const late = this.decider.lateReason(this.captured, this.reply, status, written);
    return late === undefined ? undefined : this.decider.refusedHeaders(late);
  }

  commit(status: number, written: HeaderRecord): void {
    if (this.#committed) return;
    this.#committed = true;
    this.decide(this.decider.lateReason(this.captured, this.reply, status, written));
  }
}
