import type { FactHeader, StoredFact } from "../facts/fact";
import type { FactSpec } from "../facts/spec";
import type { LiveFact } from "./tail";

// How far a live follower may fall behind before it is cut off and sent back to read the database.
// Bounds the memory one slow client can hold in the store.
const MAX_QUEUED_FACTS = 10_000;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/**
 * Facts of one tail read that match one set of specs, in serial order. The tail hub makes one per
 * tick and spec set and offers the same object to every follower with those specs, so the arrays
 * (and the Facts notification encoded from `facts`, store/protocol/notifications.ts) are shared
 * instead of being built once per follower.
 */
export class LiveBatch {
  readonly facts: StoredFact[];
  readonly headers: FactHeader[];
  /** What the batch holds in memory (UTF-16 units of header and payload), for the follower's bound. */
  readonly size: number;

  constructor(live: LiveFact[]) {
    this.facts = live.map((l) => l.fact);
    this.headers = live.map((l) => l.header);
    let size = 0;
    for (const { fact } of live) size += fact.header.length + fact.payload.length;
    this.size = size;
  }

  get last(): bigint {
    return this.facts[this.facts.length - 1].ser;
  }

  /** The facts after serial `position` (the batch itself when all of them are). */
  after(position: bigint): LiveBatch | undefined {
    if (this.last <= position) return undefined;
    if (this.facts[0].ser > position) return this;
    const from = this.facts.findIndex((f) => f.ser > position);
    return new LiveBatch(this.facts.slice(from).map((fact, i) => ({ fact, header: this.headers[from + i] })));
  }

  /** Several batches as one (for a delivery stage, whose output is the follower's own anyway). */
  static join(batches: LiveBatch[]): LiveBatch {
    if (batches.length === 1) return batches[0];
    return new LiveBatch(batches.flatMap((b) => b.facts.map((fact, i) => ({ fact, header: b.headers[i] }))));
  }
}

/** An Error: the tail could not read the database for longer than the outage bound. */
export type TakeResult = LiveBatch[] | "overflow" | "closed" | "timeout" | Error;

/**
 * The client's stream, for a follower that writes its live facts itself (store/protocol/
 * fact-store-service.ts): the tail's tick writes each follower's shared frame straight into its
 * stream, with no async generator or promise between them (issue 17: those hops cost more than the
 * write). Only for follows without a delivery stage (store/transformations/delivery.ts).
 */
export interface LiveSink {
  /** Writes the batch's Facts notification(s); false when the stream wants no more until it drains. */
  write(batch: LiveBatch): boolean;
  /** Calls `resume` once when the stream can take more. */
  onDrain(resume: () => void): void;
}

/** One live subscription's inbox on the tail hub. */
export class Follower {
  private queue: LiveBatch[] = [];
  private queuedFacts = 0;
  private queuedBytes = 0;
  private state: "open" | "overflow" | "closed" = "open";
  private failure?: Error;
  private wake?: () => void;
  private onTimeout?: () => void;
  private timer?: NodeJS.Timeout;
  private timerMs = 0;
  private hooked?: AbortSignal;
  private unhook?: () => void;
  /** Set once the follower writes its facts itself (direct); `queue` then holds what waits for a drain. */
  private sink?: LiveSink;
  private blocked = false;
  /** Direct: the last serial written to the stream (where a cut-off subscription reads on from). */
  private writtenUpTo = 0n;
  /** Direct: batches written so far (a wait that saw some needs no keepalive). */
  private writes = 0;

  constructor(
    readonly specs: FactSpec[],
    /** The last serial offered (or covered by the subscription's own read); older facts are skipped. */
    public position: bigint,
  ) {}

  /** Offers a tick's matching facts; those at or below the follower's position are dropped. */
  offer(batch: LiveBatch): void {
    if (this.state !== "open") return;
    const fresh = batch.after(this.position);
    if (!fresh) return;
    this.position = fresh.last;
    if (this.sink && !this.blocked && this.queue.length === 0) {
      this.send(fresh);
      return;
    }
    this.queue.push(fresh);
    this.queuedFacts += fresh.facts.length;
    this.queuedBytes += fresh.size;
    if (this.queuedFacts > MAX_QUEUED_FACTS || this.queuedBytes > MAX_QUEUED_BYTES) {
      this.state = "overflow";
      this.queue = [];
      this.queuedFacts = 0;
      this.queuedBytes = 0;
      this.wake?.();
    } else if (!this.sink) {
      this.wake?.();
    }
  }

  /**
   * From now on the follower writes what it is offered into `sink` itself, in the tail's tick;
   * `position` is the last serial the subscription has sent. What was queued meanwhile goes first.
   * While the stream is full the batches queue here, bounded as before: past the bound the follower
   * is cut off and take() says "overflow", and the subscription reads on from writtenUpTo().
   */
  direct(sink: LiveSink, position: bigint): void {
    this.sink = sink;
    this.writtenUpTo = position;
    this.flush();
  }

  /** Direct: everything up to this serial went into the stream. */
  writtenTo(): bigint {
    return this.writtenUpTo;
  }

  private send(batch: LiveBatch): void {
    this.writtenUpTo = batch.last;
    this.writes++;
    if (!this.sink!.write(batch) && !this.blocked) {
      this.blocked = true;
      this.sink!.onDrain(this.flush);
    }
  }

  /** The stream drained: write what queued meanwhile, until it is full again. */
  private readonly flush = (): void => {
    this.blocked = false;
    while (this.queue.length > 0 && !this.blocked && this.state === "open") {
      const batch = this.queue.shift()!;
      this.queuedFacts -= batch.facts.length;
      this.queuedBytes -= batch.size;
      this.send(batch);
    }
  };

  /** Facts offered and not yet taken: how far its subscription is behind the tail (lag figures). */
  backlog(): { count: number; oldest?: LiveFact } {
    const first = this.queue[0];
    return {
      count: this.queuedFacts,
      oldest: first && { fact: first.facts[0], header: first.headers[0] },
    };
  }

  /** Ends the follow with `err` once the facts queued before it have been taken. */
  fail(err: Error): void {
    if (this.state !== "open") return;
    this.failure = err;
    // Direct: the queued facts go into the stream now, ahead of the error (bounded like the queue).
    if (this.sink) {
      for (const batch of this.queue) this.send(batch);
      this.queue = [];
      this.queuedFacts = 0;
      this.queuedBytes = 0;
    }
    this.close();
  }

  close(): void {
    if (this.state === "open") this.state = "closed";
    this.wake?.();
    clearTimeout(this.timer);
    this.unhook?.();
  }

  /**
   * Everything queued (the tail's batches, still shared with other followers), or waits for more until `timeoutMs` passes or `signal` aborts.
   * A follower takes hundreds of times a second under load, so the timer and the abort listener are
   * set up once and reused (each new timer or EventTarget listener costs more than the take itself).
   */
  async take(timeoutMs: number, signal: AbortSignal): Promise<TakeResult> {
    // Direct, the facts never come through here: wait for the end of the follow, or for an interval
    // in which nothing was written (then the subscription sends a keepalive).
    if (this.sink) {
      while (this.state === "open" && !signal.aborted) {
        const writes = this.writes;
        await this.idle(timeoutMs, signal);
        if (this.writes === writes) break;
      }
    } else if (this.queue.length === 0 && this.state === "open" && !signal.aborted) {
      await this.idle(timeoutMs, signal);
    }
    if (this.state === "overflow") return "overflow";
    if (this.queue.length > 0 && !this.sink) {
      const batches = this.queue;
      this.queue = [];
      this.queuedFacts = 0;
      this.queuedBytes = 0;
      return batches;
    }
    if (this.failure && !signal.aborted) return this.failure;
    return this.state === "closed" || signal.aborted ? "closed" : "timeout";
  }

  /** Until something is queued (pull mode), the state changes, `signal` aborts or `timeoutMs` passes. */
  private async idle(timeoutMs: number, signal: AbortSignal): Promise<void> {
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
