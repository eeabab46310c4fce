import type { FactSpec } from "../facts/spec";
import type { LiveFact } from "./tail";

// How far a live follower may fall behind before it is cut off and sent back to read the database.
// Bounds the memory one slow client can hold in the store.
const MAX_QUEUED_FACTS = 10_000;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

export type TakeResult = LiveFact[] | "overflow" | "closed" | "timeout";

/** One live subscription's inbox on the tail hub. */
export class Follower {
  private queue: LiveFact[] = [];
  private queuedBytes = 0;
  private state: "open" | "overflow" | "closed" = "open";
  private wake?: () => void;

  constructor(
    readonly specs: FactSpec[],
    /** The last serial offered (or covered by the subscription's own read); older facts are skipped. */
    public position: bigint,
  ) {}

  offer(live: LiveFact): void {
    if (this.state !== "open") return;
    this.position = live.fact.ser;
    this.queue.push(live);
    this.queuedBytes += live.fact.header.length + live.fact.payload.length;
    if (this.queue.length > MAX_QUEUED_FACTS || this.queuedBytes > MAX_QUEUED_BYTES) {
      this.state = "overflow";
      this.queue = [];
      this.queuedBytes = 0;
    }
    this.wake?.();
  }

  close(): void {
    if (this.state === "open") this.state = "closed";
    this.wake?.();
  }

  /** Everything queued, or waits for more until `timeoutMs` passes or `signal` aborts. */
  async take(timeoutMs: number, signal: AbortSignal): Promise<TakeResult> {
    if (this.queue.length === 0 && this.state === "open" && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal.addEventListener("abort", done);
        this.wake = done;
      });
    }
    if (this.state === "overflow") return "overflow";
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      return batch;
    }
    return this.state === "closed" || signal.aborted ? "closed" : "timeout";
  }
}
