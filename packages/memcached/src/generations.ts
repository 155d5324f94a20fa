import { OP, STATUS, storageExtras } from './binary-protocol.ts';
import { ClearLog, MAX_LOG_BYTES } from './clear-log.ts';
import { FLAG_LOG } from './items.ts';
import { type Call, check } from './requests.ts';

/**
 * This process's view of the shared clear log (see clear-log.ts): which generation each key is
 * in, kept current on every operation, and `clear` itself.
 */
export class Generations {
  #log: ClearLog | undefined;
  readonly #name: string;

  constructor(
    private readonly call: Call,
    prefix: string,
  ) {
    this.#name = `${prefix}clears`;
  }

  /**
   * Runs `op` under the clear log this process knows while reading the shared one; when another
   * client cleared meanwhile, runs it again under the new log, so no read returns a cleared entry.
   */
  async current<T>(op: (log: ClearLog) => Promise<T>): Promise<T> {
    const known = this.#log;
    if (known === undefined) return op(await this.#adopt(await this.#read()));
    const [result, raw] = await Promise.all([op(known), this.#read()]);
    return known.matches(raw) ? result : op(await this.#adopt(raw));
  }

  /** Clears the keys starting with `prefix` (all of them without one) for every client. */
  async clear(prefix?: string): Promise<void> {
    if (prefix === undefined || prefix === '') return this.#reset();
    const known = this.#log ?? (await this.#adopt(await this.#read()));
    const line = ClearLog.line(prefix);
    // A log at its bound starts over as a new epoch, which clears more than asked: never less.
    if (known.raw.length + line.length > MAX_LOG_BYTES) return this.#reset();
    const reply = await this.call(OP.append, this.#name, undefined, line);
    // The log is gone (evicted, or flushed): a new epoch covers this clear too.
    if (reply.status !== STATUS.ok) return this.#reset();
    await this.#adopt(await this.#read());
  }

  async #read(): Promise<Buffer | undefined> {
    const reply = check(await this.call(OP.get, this.#name), 'get', STATUS.notFound);
    return reply.status === STATUS.ok && reply.flags === FLAG_LOG ? reply.value : undefined;
  }

  /** Takes the log as read; a missing or foreign one is replaced by a new epoch. */
  async #adopt(raw: Buffer | undefined, retry = true): Promise<ClearLog> {
    if (this.#log?.matches(raw)) return this.#log;
    const parsed = raw === undefined ? undefined : ClearLog.parse(raw);
    if (parsed !== undefined) {
      this.#log = parsed;
      return parsed;
    }
    const fresh = ClearLog.fresh();
    const extras = storageExtras(FLAG_LOG, 0);
    if (raw === undefined) {
      const added = check(
        await this.call(OP.add, this.#name, extras, fresh.raw),
        'add',
        STATUS.exists,
      );
      // Another client created it first: use theirs.
      if (added.status === STATUS.exists && retry) return this.#adopt(await this.#read(), false);
    } else {
      check(await this.call(OP.set, this.#name, extras, fresh.raw), 'set');
    }
    this.#log = fresh;
    return fresh;
  }

  /** Starts a new epoch: every key is renamed, so nothing written before is read again. */
  async #reset(): Promise<void> {
    const fresh = ClearLog.fresh();
    check(await this.call(OP.set, this.#name, storageExtras(FLAG_LOG, 0), fresh.raw), 'set');
    this.#log = fresh;
  }
}
