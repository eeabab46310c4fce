import { DatabaseUnavailableError } from "../errors";
import { publishCommitSeconds, publishGroupFacts } from "../metrics/registry";
import { acquire, type Db } from "./db";
import { isConnectionLoss, isQueryCancelled } from "./db-errors";
import type { DatabaseHealth } from "./health";
import {
  insertRequests,
  publishNotStored,
  publishOutcomeUnknown,
  resolvingUnknownOutcome,
  translateInsertError,
  type PublishOutcome,
  type PublishRequest,
  type RegistryGuard,
} from "./append";

// How much one group commit may carry. Bounded so that one transaction's parameter arrays stay in
// the tens of megabytes and a flood of publishes cannot build one giant transaction.
const MAX_GROUP_FACTS = 5_000;
const MAX_GROUP_BYTES = 32 * 1024 * 1024;
// Groups sent to PostgreSQL at once, each on its own connection. Lock 128 still lets one commit at a
// time, but the second group's statement is already in PostgreSQL, waiting on the lock, when the
// first commits: the log's writer goes straight on to the next fsync instead of idling while the
// answer travels to the store and the next group travels back (the gap that kept 8 concurrent
// single-fact publishers near the rate of one connection).
export const GROUPS_IN_FLIGHT = 2;
// How much may wait behind the running group: two more full groups. Past it a publish fails at once
// with UNAVAILABLE (retry shortly) instead of queueing memory and latency without bound; a single
// publish larger than this is still taken when nothing waits.
export const MAX_QUEUED_FACTS = 2 * MAX_GROUP_FACTS;
export const MAX_QUEUED_BYTES = 2 * MAX_GROUP_BYTES;

/** A caller's way of giving up without an AbortSignal (store/grpc/call-abort.ts, CallCancellation). */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `listener` once when cancelled; returns its removal. */
  onCancel(listener: (reason: unknown) => void): () => void;
}

function onCancel(cancel: AbortSignal | Cancellation, listener: (reason: unknown) => void): () => void {
  if (!(cancel instanceof AbortSignal)) return cancel.onCancel(listener);
  const onAbort = () => listener(cancel.reason);
  cancel.addEventListener("abort", onAbort, { once: true });
  return () => cancel.removeEventListener("abort", onAbort);
}

interface Pending {
  request: PublishRequest;
  bytes: number;
  settled: boolean;
  resolve: (serials: bigint[]) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit: publishes that arrive while a transaction is running wait and then share the next
 * one, so concurrent single-fact publishers pay one lock, one round trip set and one fsync per group
 * instead of per fact. An idle store commits a lone publish immediately (no added latency).
 *
 * A publish is answered only after its group's commit; while PostgreSQL is unreachable every publish
 * fails at once with UNAVAILABLE (nothing waits for a connection that will not come), and a caller
 * whose deadline passes while queued is answered then and its facts are not sent.
 */
export class Appender {
  private queue: Pending[] = [];
  private queuedFacts = 0;
  private queuedBytes = 0;
  /** Groups sent to PostgreSQL and not yet answered, and the ids they carry. */
  private inFlight = 0;
  private readonly idsInFlight = new Set<string>();
  private formScheduled = false;

  constructor(
    private readonly db: Db,
    private readonly onCommitted: () => void,
    private readonly health: DatabaseHealth,
    private readonly registry?: RegistryGuard,
    private readonly maxInFlight = GROUPS_IN_FLIGHT,
  ) {}

  /**
   * Resolves with the serials once committed; rejects with why not. `cancel`: the caller gave up (an
   * AbortSignal, or a gRPC call's cancellation, which costs no AbortController per publish).
   */
  publish(request: PublishRequest, cancel?: AbortSignal | Cancellation): Promise<bigint[]> {
    if (request.facts.length === 0) return Promise.resolve([]);
    if (cancel?.aborted) return Promise.reject(cancel.reason as Error);
    let bytes = 0;
    for (const f of request.facts) bytes += f.payload.length + 256;
    if (
      this.queue.length > 0 &&
      (this.queuedFacts + request.facts.length > MAX_QUEUED_FACTS || this.queuedBytes + bytes > MAX_QUEUED_BYTES)
    ) {
      return Promise.reject(
        new DatabaseUnavailableError(
          `this store instance has ${this.queuedFacts} facts (${Math.round(this.queuedBytes / 1048576)} MB) waiting to be committed; nothing was published, retry shortly`,
          { overloaded: true },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { request, bytes, settled: false, resolve, reject };
      if (cancel) {
        const stop = onCancel(cancel, (reason) => {
          // Still queued: it never reaches the database. In flight: the commit goes on, the caller
          // is answered now (a deadline says nothing about whether the call took effect).
          const at = this.queue.indexOf(pending);
          if (at >= 0) this.dequeue(at);
          finish(pending, () => reject(reason as Error));
        });
        pending.resolve = (serials) => {
          stop();
          resolve(serials);
        };
        pending.reject = (err) => {
          stop();
          reject(err);
        };
      }
      this.queue.push(pending);
      this.queuedFacts += request.facts.length;
      this.queuedBytes += bytes;
      this.scheduleForming();
    });
  }

  /** Resolves once every publish accepted so far has been committed or rejected. */
  async idle(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Forms groups once the event loop has finished the I/O it has already received: a commit's
   * answer and the publishes that arrived during it are often read in the same turn, and forming the
   * group right away left those for the next group (groups of ~2.5 from 8 concurrent publishers).
   * One turn of the loop costs microseconds, not a wait.
   */
  private scheduleForming(): void {
    if (this.formScheduled) return;
    this.formScheduled = true;
    setImmediate(() => {
      this.formScheduled = false;
      this.formGroups();
    });
  }

  private formGroups(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      if (group === undefined) return;
      this.inFlight++;
      const ids = group.flatMap((p) => p.request.facts.map((f) => f.header.id));
      ids.forEach((id) => this.idsInFlight.add(id));
      void this.commitGroup(group).finally(() => {
        this.inFlight--;
        ids.forEach((id) => this.idsInFlight.delete(id));
        if (this.queue.length > 0) this.scheduleForming();
      });
    }
  }

  private dequeue(at: number): Pending {
    const [pending] = this.queue.splice(at, 1);
    this.queuedFacts -= pending.request.facts.length;
    this.queuedBytes -= pending.bytes;
    return pending;
  }

  /**
   * The next publishes that fit one group, or undefined while the first in line names an id a group
   * in flight carries. A publish naming an id an earlier one names too waits until that one is
   * committed: only then can it be told apart as a re-publish or a duplicate, and the earlier wins.
   */
  private takeGroup(): Pending[] | undefined {
    if (this.queue[0].request.facts.some((f) => this.idsInFlight.has(f.header.id))) return undefined;
    const group: Pending[] = [this.dequeue(0)];
    const ids = new Set(group[0].request.facts.map((f) => f.header.id));
    let facts = group[0].request.facts.length;
    let bytes = group[0].bytes;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (facts + next.request.facts.length > MAX_GROUP_FACTS || bytes + next.bytes > MAX_GROUP_BYTES) break;
      if (next.request.facts.some((f) => ids.has(f.header.id) || this.idsInFlight.has(f.header.id))) break;
      group.push(this.dequeue(0));
      next.request.facts.forEach((f) => ids.add(f.header.id));
      facts += next.request.facts.length;
      bytes += next.bytes;
    }
    return group;
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    let outcomes: PublishOutcome[];
    const startedMs = performance.now();
    try {
      const requests = group.map((p) => p.request);
      outcomes = await resolvingUnknownOutcome(this.health, () => this.inOwnTransaction(requests));
      publishCommitSeconds.observe((performance.now() - startedMs) / 1000);
      publishGroupFacts.observe(requests.reduce((n, r) => n + r.facts.length, 0));
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) {
        // Not the publishers' fault. When nothing was sent, the publishes queued behind would fail
        // the same way: answer them now rather than let each wait for a connection.
        for (const pending of group) finish(pending, () => pending.reject(err));
        if (!err.outcomeUnknown) {
          while (this.queue.length > 0) {
            const queued = this.dequeue(0);
            finish(queued, () => queued.reject(err));
          }
        }
        return;
      }
      if (group.length === 1) {
        finish(group[0], () => group[0].reject(translateInsertError(err)));
        return;
      }
      // Something other than a duplicate broke the shared transaction (e.g. text PostgreSQL refuses).
      // Retry each publish alone so only the culprit fails.
      for (const pending of group) await this.commitGroup([pending]);
      return;
    }
    this.onCommitted();
    outcomes.forEach((o, i) => settle(group[i], o));
  }

  private async inOwnTransaction(requests: PublishRequest[]): Promise<PublishOutcome[]> {
    let client;
    try {
      client = await acquire(this.db);
    } catch (err) {
      throw isConnectionLoss(err) ? publishNotStored(err) : err;
    }
    let broken: Error | undefined;
    try {
      // No explicit transaction: the append statement is one (one round trip for the whole group).
      return await insertRequests(client, requests, this.registry);
    } catch (err) {
      if (isConnectionLoss(err)) {
        broken = err as Error;
        this.health.lost(broken, "committing published facts");
        throw publishOutcomeUnknown(err);
      }
      if (isQueryCancelled(err)) {
        // statement_timeout: the statement was cancelled before it could commit.
        throw new DatabaseUnavailableError(
          `the database did not complete this publish in time (${(err as Error).message}); nothing was published, retry shortly`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/** Answers a publish once: a caller who gave up has been answered already. */
function finish(pending: Pending, answer: () => void): void {
  if (pending.settled) return;
  pending.settled = true;
  answer();
}

function settle(pending: Pending, outcome: PublishOutcome): void {
  if ("error" in outcome.result) {
    const { error } = outcome.result;
    finish(pending, () => pending.reject(error));
  } else {
    const { serials } = outcome.result;
    finish(pending, () => pending.resolve(serials));
  }
}
