import type { FactSpec } from "../facts/spec";
import type { LiveFact } from "./tail";

// How far a live follower may fall behind before it is cut off and sent back to read the database.
// Bounds the memory one slow client can hold in the store.
const MAX_QUEUED_FACTS = 10_000;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** An Error: the tail could not read the database for longer than the outage bound. */
export type TakeResult = LiveFact[] | "overflow" | "closed" | "timeout" | Error;

/** One live subscription's inbox on the tail hub. */
export class Follower {
  private queue: LiveFact[] = [];
  private queuedBytes = 0;
  private state: "open" | "overflow" | "closed" = "open";
  private failure?: Error;
  private wake?: () => void;
  private onTimeout?: () => void;
  private timer?: NodeJS.Timeout;
  private timerMs = 0;
  private hooked?: AbortSignal;
  private unhook?: () => void;

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

  /** Facts offered and not yet taken: how far its subscription is behind the tail (lag figures). */
  backlog(): { count: number; oldest?: LiveFact } {
    return { count: this.queue.length, oldest: this.queue[0] };
  }

  /** Ends the follow with `err` once the facts queued before it have been taken. */
  fail(err: Error): void {
    if (this.state !== "open") return;
    this.failure = err;
    this.close();
  }

  close(): void {
    if (this.state === "open") this.state = "closed";
    this.wake?.();
    clearTimeout(this.timer);
    this.unhook?.();
  }

  /**
   * Everything queued, or waits for more until `timeoutMs` passes or `signal` aborts. A follower
   * takes hundreds of times a second under load, so the timer and the abort listener are set up once
   * and reused (each new timer or EventTarget listener costs more than the take itself).
   */
  async take(timeoutMs: number, signal: AbortSignal): Promise<TakeResult> {
    if (this.queue.length === 0 && this.state === "open" && !signal.aborted) {
      this.hook(signal);
      await new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = undefined;
          resolve();
        };
        this.onTimeout = () => this.wake?.();
        if (this.timer && this.timerMs === timeoutMs) this.timer.refresh();
        else {
          clearTimeout(this.timer);
          this.timerMs = timeoutMs;
          this.timer = setTimeout(() => this.onTimeout?.(), timeoutMs);
          this.timer.unref();
        }
      });
      // The timer stays armed; firing with nobody waiting does nothing, and the next take refreshes it.
      this.onTimeout = undefined;
    }
    if (this.state === "overflow") return "overflow";
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      return batch;
    }
    if (this.failure && !signal.aborted) return this.failure;
    return this.state === "closed" || signal.aborted ? "closed" : "timeout";
  }

  private hook(signal: AbortSignal): void {
    if (this.hooked === signal) return;
    this.unhook?.();
    const onAbort = () => this.wake?.();
    signal.addEventListener("abort", onAbort);
    this.hooked = signal;
    this.unhook = () => {
      signal.removeEventListener("abort", onAbort);
      this.hooked = undefined;
      this.unhook = undefined;
    };
  }
}
