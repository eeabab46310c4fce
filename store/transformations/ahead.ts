/**
 * A catch-up's delivery stage one chunk ahead of the consumer: while chunk N goes out to the
 * client, chunk N+1 is read and delivered (cache lookup, sandbox run, post-filter). Without this the
 * stage's work — a round trip to the transformation cache, a sandbox run in the worker threads —
 * waits until the client has taken chunk N, and then the client waits for it: a transformed
 * catch-up paid both in turn (docs/performance.md, "Transformed catch-up").
 *
 * Bounded: one chunk delivered ahead (the reader keeps two more, store/storage/read.ts), so a
 * subscription holds at most four chunks, each bounded by the reader's bytes per read.
 */
/**
 * A chunk as read and as it goes out: facts (store/transformations/delivery.ts), or rows as
 * PostgreSQL sent them (store/transformations/warm.ts, where the two are the same rows, changed in
 * place).
 */
export interface DeliveredChunk<T> {
  /** The facts as read (empty: the range is exhausted). */
  read: T;
  /** What goes out of them (transformed, filtered). */
  delivered: T;
}

export class DeliveredAhead<T extends { readonly length: number }> {
  private ahead?: Promise<DeliveredChunk<T>>;
  private ended = false;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly deliver: (chunk: T, signal: AbortSignal) => Promise<T>,
    private readonly signal: AbortSignal,
  ) {}

  /** The next chunk; the one after it is started before this resolves. Sequential calls only. */
  async next(): Promise<DeliveredChunk<T>> {
    const current = this.ahead ?? this.take();
    this.ahead = undefined;
    const chunk = await current;
    if (chunk.read.length > 0 && !this.ended) {
      this.ahead = this.take();
      // Its failure is the next call's to report, in order; never an unhandled rejection meanwhile.
      this.ahead.catch(() => {});
    }
    return chunk;
  }

  /** Waits for the chunk in flight (its reads and sandbox runs), so the reader can be closed after. */
  async close(): Promise<void> {
    this.ended = true;
    await this.ahead?.catch(() => {});
    this.ahead = undefined;
  }

  private async take(): Promise<DeliveredChunk<T>> {
    const read = await this.read();
    if (read.length === 0) return { read, delivered: read };
    return { read, delivered: await this.deliver(read, this.signal) };
  }
}
