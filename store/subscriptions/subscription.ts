import type { StoredFact } from "../facts/fact";
import type { SubscriptionRequest } from "../facts/spec";
import { NotFoundError, ShuttingDownError } from "../errors";
import type { StoreDatabase } from "../storage/db";
import { highWaterMark, latestSerial } from "../storage/lookup";
import { FactReader, type ReaderOptions } from "../storage/read";
import type { FactRows } from "../storage/fact-rows";
import { CatchupReader } from "../storage/replicas/catchup-reader";
import { routedSerialOf } from "../storage/replicas/lookups";
import { DeliveredAhead } from "../transformations/ahead";
import type { DeliveryStage } from "../transformations/delivery";
import type { WarmStage } from "../transformations/warm";
import { LiveBatch, type LiveSink } from "./follower";
import { stopSignal } from "./stop-signal";
import type { TailHub } from "./tail";

/** What a subscription tells its client, in order; the protocol adapter turns these into notifications. */
export type SubscriptionEvent =
  | { kind: "info"; start: bigint; horizon: bigint }
  /** `live`: the facts come from the tail hub and are shared with other followers. */
  | { kind: "facts"; facts: StoredFact[]; live?: boolean }
  /**
   * Catch-up facts as the bytes PostgreSQL sent, for a subscription that sends them on unread;
   * `prepared`: what SubscriptionContext.prepareRows made of them, when it was given.
   */
  | { kind: "rows"; rows: FactRows; prepared?: readonly unknown[] }
  | { kind: "ffwd"; id: string; ser: bigint }
  | { kind: "catchup" }
  | { kind: "complete" }
  | { kind: "keepalive" };

export interface SubscriptionContext {
  db: StoreDatabase;
  tail: Pick<TailHub, "attach" | "detach">;
  /** Aborted when the client cancels. */
  signal: AbortSignal;
  /** Aborted when the store shuts down. */
  shutdown: AbortSignal;
  /** The client asked for Ffwd notifications (fc-ffwd). */
  fastForward: boolean;
  /** How long a catch-up cursor may wait for a stalled client before giving its connection back. */
  cursorIdleMs?: number;
  /** How long one catch-up read may take before it is cancelled (0: no limit). */
  readTimeoutMs?: number;
  /**
   * Transformations and post-filters between what was read and what is sent
   * (store/transformations/delivery.ts); undefined when the specs need neither.
   */
  deliver?: DeliveryStage;
  /**
   * The client's stream, when live facts may be written into it directly (store/subscriptions/follower.ts
   * LiveSink); without it (or with a delivery stage) live facts come out of the generator as events.
   */
  live?: LiveSink;
  /**
   * For a catch-up that only transforms: rows read joined to the transformation cache, cached facts
   * sent on unread (store/transformations/warm.ts); `deliver` still serves the live part.
   */
  warm?: WarmStage;
  /**
   * What the protocol adapter sends for a chunk of catch-up rows (its frames), made as soon as the
   * chunk is read, while the chunk before it is still being written: after a drain the next frame is
   * ready to go (docs/performance.md, "Catch-up pipeline"). Applies where rows go out unread.
   */
  prepareRows?: (rows: FactRows) => readonly unknown[];
}

// Without a keepalive request, the follow loop still wakes this often to notice cancellation.
const IDLE_WAKE_MS = 30_000;

/**
 * Runs one subscription: optional Info, catch-up from the database, Ffwd, Catchup, then Complete or
 * live facts from the tail hub. At most two chunks (three with a delivery stage) are read ahead of
 * what the consumer takes, and everything held (cursor, connection, follower) is released when the
 * generator ends for any reason.
 */
export async function* runSubscription(
  req: SubscriptionRequest,
  ctx: SubscriptionContext,
): AsyncGenerator<SubscriptionEvent> {
  // Taken off the store's shutdown signal when the subscription ends (store/subscriptions/stop-signal.ts).
  const stop = stopSignal(ctx.signal, ctx.shutdown);
  try {
    yield* subscriptionEvents(req, ctx, stop.signal);
  } finally {
    stop.release();
  }
}

/** runSubscription's events, ended by `signal` (the call's or the store's shutdown). */
async function* subscriptionEvents(
  req: SubscriptionRequest,
  ctx: SubscriptionContext,
  signal: AbortSignal,
): AsyncGenerator<SubscriptionEvent> {
  const { deliver } = ctx;
  const keepalive = req.keepaliveIntervalMs > 0 ? req.keepaliveIntervalMs : undefined;
  const wait = <T>(work: Promise<T>) => withKeepalive(work, keepalive, signal, ctx.shutdown);
  // Catch-up reads resume after a lost connection (up to the outage bound) and stop in the database
  // when the client leaves.
  const reading: ReaderOptions = {
    idleMs: ctx.cursorIdleMs,
    signal,
    health: ctx.db.health,
    readTimeoutMs: ctx.readTimeoutMs,
  };

  let position: bigint;
  if (req.ephemeral) {
    position = await latestSerial(ctx.db.lookups);
  } else {
    position = 0n;
    if (req.startingAfter !== undefined) {
      // On a replica; a fact just published and not there yet is found on the primary.
      const ser = await routedSerialOf(ctx.db, req.startingAfter);
      if (ser === undefined) {
        throw new NotFoundError(
          `startingAfter ${req.startingAfter} is not a fact in this store; subscribe without it to read from the beginning`,
        );
      }
      position = ser;
    }
    const hwm = await highWaterMark(ctx.db.lookups);
    if (req.streamInfo) yield { kind: "info", start: position, horizon: hwm.ser };

    let last = position;
    // From a replica up to what it has, then from the primary (store/storage/replicas/catchup-reader.ts).
    const { warm } = ctx;
    // Rows framed ahead are one chunk the subscription holds itself: the reader keeps one fewer.
    const prepare = deliver || warm ? undefined : ctx.prepareRows;
    const reader = new CatchupReader(
      ctx.db,
      req.specs,
      position,
      warm ? { ...reading, cacheJoin: warm } : prepare ? { ...reading, readsAhead: 1 } : reading,
    );
    // A delivery stage works on the next chunk while the client takes this one (store/transformations/ahead.ts).
    const rowChunks = warm ? new DeliveredAhead(() => reader.nextRows(), warm.deliver, signal) : undefined;
    const chunks =
      deliver && !warm
        ? new DeliveredAhead(
            () => reader.next(),
            (f, s) => deliver(f, undefined, s),
            signal,
          )
        : undefined;
    const takePrepared = (make: (rows: FactRows) => readonly unknown[]) => {
      // Framed in a later turn of the event loop: after the chunk before has been written, so the
      // framing runs while those bytes go out rather than before they start.
      const taken = reader
        .nextRows()
        .then((rows) => new Promise<FactRows>((resolve) => setImmediate(resolve, rows)))
        .then((rows) => ({ rows, prepared: rows.length > 0 ? make(rows) : undefined }));
      // Its failure is the next turn's to report, in order; never an unhandled rejection meanwhile.
      taken.catch(() => {});
      return taken;
    };
    let upcoming = prepare ? takePrepared(prepare) : undefined;
    try {
      for (;;) {
        if (rowChunks) {
          const { read: rows, delivered } = yield* wait(rowChunks.next());
          if (rows.length === 0) break;
          yield { kind: "rows", rows: delivered };
          last = rows.lastSer;
        } else if (chunks) {
          const { read: facts, delivered } = yield* wait(chunks.next());
          if (facts.length === 0) break;
          if (delivered.length > 0) yield { kind: "facts", facts: delivered };
          last = facts[facts.length - 1].ser;
        } else if (upcoming && prepare) {
          // The rows go on as PostgreSQL sent them, framed while the chunk before went out.
          const { rows, prepared } = yield* wait(upcoming);
          upcoming = undefined;
          if (rows.length === 0) break;
          upcoming = takePrepared(prepare);
          yield { kind: "rows", rows, prepared };
          last = rows.lastSer;
        } else {
          // Nothing to transform or filter here: the rows go on as PostgreSQL sent them.
          const rows = yield* wait(reader.nextRows());
          if (rows.length === 0) break;
          yield { kind: "rows", rows };
          last = rows.lastSer;
        }
      }
    } finally {
      await rowChunks?.close();
      await chunks?.close();
      // The chunk being read ahead settles first (a consumer gone cancels its read), then the reader closes.
      await upcoming?.catch(() => {});
      await reader.close();
    }
    // The reader's snapshot was taken after the high-water mark was read, so everything up to it
    // has been seen: a consumer with nothing recent may store that newer position (Ffwd).
    if (last < hwm.ser) {
      if (ctx.fastForward && hwm.id !== undefined) yield { kind: "ffwd", id: hwm.id, ser: hwm.ser };
      position = hwm.ser;
    } else {
      position = last;
    }
  }
  yield { kind: "catchup" };
  if (!req.continuous) {
    yield { kind: "complete" };
    return;
  }

  for (;;) {
    const { follower, coveredFrom } = ctx.tail.attach(req.specs, position);
    try {
      if (position < coveredFrom) {
        const gap = new FactReader(ctx.db.reads, req.specs, position, coveredFrom, reading);
        try {
          for (;;) {
            const rows = yield* wait(gap.nextRows());
            if (rows.length === 0) break;
            yield* catchUpEvents(rows, deliver, wait, signal);
          }
        } finally {
          await gap.close();
        }
        position = coveredFrom;
      }
      // Everything before the live facts has been handed to the stream (the consumer took it):
      // from here the tail's ticks write into it themselves.
      const direct = deliver ? undefined : ctx.live;
      if (direct) follower.direct(direct, position);
      for (;;) {
        const taken = await follower.take(keepalive ?? IDLE_WAKE_MS, signal);
        if (taken === "timeout") {
          if (keepalive !== undefined) yield { kind: "keepalive" };
          continue;
        }
        if (taken === "closed") throwIfStopped(signal, ctx.shutdown);
        // The live tail could not read the database for longer than the outage bound.
        if (taken instanceof Error) throw taken;
        if (taken === "overflow" || taken === "closed") {
          if (direct) position = follower.writtenTo();
          break;
        }
        // The batches' arrays are shared with the other followers of the same specs (and so is the
        // notification encoded from each): read, never changed. A follower that fell behind sends
        // one notification per queued batch rather than copying them into one of its own.
        for (const batch of deliver ? [LiveBatch.join(taken)] : taken) {
          const delivered = deliver ? yield* wait(deliver(batch.facts, batch.headers, signal)) : batch.facts;
          if (delivered.length > 0) yield { kind: "facts", facts: delivered, live: true };
          position = batch.last;
        }
      }
    } finally {
      ctx.tail.detach(follower);
    }
    // Cut off for falling behind: read what was missed from the database, then attach again.
  }
}

/**
 * What one catch-up read becomes: the rows as they are when nothing is transformed or filtered
 * in the store (sent on without decoding), else the facts the delivery stage lets through.
 */
async function* catchUpEvents(
  rows: FactRows,
  deliver: DeliveryStage | undefined,
  wait: <T>(work: Promise<T>) => AsyncGenerator<SubscriptionEvent, T>,
  signal: AbortSignal,
): AsyncGenerator<SubscriptionEvent> {
  if (!deliver) {
    yield { kind: "rows", rows };
    return;
  }
  const delivered = yield* wait(deliver(rows.toStoredFacts(), undefined, signal));
  if (delivered.length > 0) yield { kind: "facts", facts: delivered };
}

/**
 * Awaits `work`, emitting keepalives while it takes longer than the client's keepalive interval,
 * so a slow catch-up query never looks like a dead stream to the client's staleness check.
 */
async function* withKeepalive<T>(
  work: Promise<T>,
  intervalMs: number | undefined,
  signal: AbortSignal,
  shutdown: AbortSignal,
): AsyncGenerator<SubscriptionEvent, T> {
  const settled = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  for (;;) {
    const tick = delay(intervalMs ?? IDLE_WAKE_MS, signal);
    const outcome = await Promise.race([settled, tick.done]);
    // The timer and its abort listener go at once, not when the interval would have passed.
    tick.cancel();
    if (outcome !== undefined) {
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    }
    throwIfStopped(signal, shutdown);
    if (intervalMs !== undefined) yield { kind: "keepalive" };
  }
}

function throwIfStopped(signal: AbortSignal, shutdown: AbortSignal): void {
  if (shutdown.aborted) throw new ShuttingDownError();
  if (signal.aborted) throw signal.reason ?? new Error("subscription cancelled");
}

function delay(ms: number, signal: AbortSignal): { done: Promise<undefined>; cancel: () => void } {
  let cancel = () => {};
  const done = new Promise<undefined>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve(undefined);
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener("abort", finish);
    cancel = finish;
  });
  return { done, cancel };
}
