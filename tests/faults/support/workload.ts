/**
 * Traffic for fault tests, behaving as a careful FactCast client does: publishers that retry a
 * failed publish with the same facts (same ids) and count a fact only once the store acknowledged
 * it, and followers that keep one subscription open and, when the store ends it with a retryable
 * status, resubscribe after the last fact they got. `audit` then says whether every acknowledged
 * fact arrived exactly once and in order.
 */
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "../../../factcast/errors.js";
import { MSG_Notification_Type, type MSG_Fact } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { errorDetails, notificationFacts, subscriptionRequest, type FactStoreClient } from "../../support/client.js";
import { fact, factsMsg, type StoredFact } from "../../support/facts.js";
import { sleep } from "./cluster.js";

/** What a FactCast client retries (ClientExceptionHelper): UNAVAILABLE, UNKNOWN without exc-bin, … */
const RETRYABLE = new Set([Code.Unavailable, Code.Unknown, Code.Aborted, Code.DeadlineExceeded]);
/** Between attempts of a publish that failed, as FactCast's client waits (100 ms). */
const RETRY_PAUSE_MS = 100;
/** A slow follower's notification of at least this many facts gets its whole pause (readDelayMs). */
const FULL_PAUSE_FACTS = 50;
/** A stopped publisher keeps retrying its last publish this long before leaving it unresolved. */
const STOP_RETRY_MS = 10_000;

export interface PublisherOptions {
  ns: string;
  /** Facts per publish: a number, or a function of the round for varying sizes. */
  batch?: number | (() => number);
  /** The call's deadline (grpc-timeout). */
  deadlineMs?: number;
  /** Pause between publishes. */
  pauseMs?: number;
  payload?: () => unknown;
}

export interface FailedAttempt {
  code: Code;
  message: string;
  /** The store marked it "database unavailable" (factcast/errors.ts UNAVAILABLE_REASON_KEY). */
  databaseUnavailable: boolean;
  /** How long the failing call took. */
  ms: number;
}

/** One publisher: publishes batches until stopped, retrying each until it is acknowledged. */
export class Publisher {
  /** Acknowledged facts' ids, in the order their publishes were acknowledged. */
  readonly acknowledged: string[] = [];
  /** Batches whose acknowledgement has arrived, as id lists (each must be stored whole). */
  readonly batches: string[][] = [];
  /** Sent but never acknowledged when the publisher stopped (may or may not be stored, but whole). */
  readonly unresolved: string[][] = [];
  readonly failures: FailedAttempt[] = [];
  /** Errors that are not retryable (a duplicate, a bad request): each one is a defect. */
  readonly rejections: string[] = [];
  private stopping = false;
  private stoppedAt = 0;
  private loop?: Promise<void>;

  constructor(
    private readonly client: FactStoreClient,
    private readonly options: PublisherOptions,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Finishes the publish under way (retrying it for up to 10 s more until acknowledged), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stoppedAt = Date.now();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const size = typeof this.options.batch === "function" ? this.options.batch() : (this.options.batch ?? 1);
      const facts = Array.from({ length: size }, () =>
        fact({ ns: this.options.ns, type: "Tick", payload: this.options.payload?.() ?? { at: Date.now() } }),
      );
      const ids = facts.map(idOf);
      if (!(await this.publishUntilAcknowledged(facts))) {
        this.unresolved.push(ids);
        return;
      }
      this.batches.push(ids);
      this.acknowledged.push(...ids);
      if (this.options.pauseMs) await sleep(this.options.pauseMs);
    }
  }

  /** Retries while retryable; gives up (false) only once stopping and still failing for 10 s. */
  private async publishUntilAcknowledged(facts: MSG_Fact[]): Promise<boolean> {
    for (;;) {
      const started = Date.now();
      try {
        await this.client.publish(factsMsg(facts), { timeoutMs: this.options.deadlineMs ?? 5_000 });
        return true;
      } catch (error) {
        const details = errorDetails(error);
        if (details.exception || !RETRYABLE.has(details.code)) {
          this.rejections.push(`${Code[details.code]} ${details.exception ?? ""} ${details.message}`);
          return true; // counted as a defect by the test; nothing to retry
        }
        this.failures.push({
          code: details.code,
          message: details.message,
          databaseUnavailable: isDatabaseUnavailable(ConnectError.from(error)),
          ms: Date.now() - started,
        });
        if (this.stopping && Date.now() > this.stoppedAt + STOP_RETRY_MS) return false;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }
}

export interface FollowerOptions {
  ns: string;
  /** Resubscribe after the last fact when the store ends the stream with a retryable status. */
  resubscribe?: boolean;
  /** Start after this fact id (undefined: the whole log of the namespace). */
  startingAfter?: string;
  /**
   * Read this slowly: a pause after every notification of this long, shortened in proportion for
   * one of fewer than FULL_PAUSE_FACTS facts. The reader is slow per fact, as a real consumer is, so
   * a live stream of small notifications (one per tail read) does not make it slower than the
   * publishers and a slow follower still catches up once they stop.
   */
  readDelayMs?: number;
  keepaliveMs?: number;
  /**
   * Names the follower in failures and, as its `fc-id`, in the store's OperationsService listing
   * (e.g. "a/follower-1"), so a stalled one can be matched with the store's own view of it.
   */
  label?: string;
}

/** Where a follower stands, from its side of the stream (for failure messages). */
export interface FollowerState {
  label: string;
  /** "catch-up" until the Catchup notification of the current subscription, then "live". */
  mode: "catch-up" | "live";
  subscriptions: number;
  ends: string[];
  facts: number;
  notifications: number;
  lastSerial?: number;
  lastFactAt?: number;
  lastNotificationAt?: number;
  lastKeepaliveAt?: number;
}

/** One follower: a continuous subscription from the beginning of its namespace. */
export class Follower {
  readonly facts: StoredFact[] = [];
  /** How each subscription ended: an error code name, or "ok". */
  readonly ends: string[] = [];
  subscriptions = 0;
  private caughtUp = false;
  private notifications = 0;
  private lastFactAt?: number;
  private lastNotificationAt?: number;
  private lastKeepaliveAt?: number;
  private abort = new AbortController();
  private loop?: Promise<void>;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly client: FactStoreClient,
    private readonly options: FollowerOptions,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  ids(): Set<string> {
    return new Set(this.facts.map((f) => f.id));
  }

  get label(): string {
    return this.options.label ?? `follower of ${this.options.ns}`;
  }

  state(): FollowerState {
    return {
      label: this.label,
      mode: this.caughtUp ? "live" : "catch-up",
      subscriptions: this.subscriptions,
      ends: [...this.ends],
      facts: this.facts.length,
      notifications: this.notifications,
      lastSerial: this.facts.at(-1)?.serial,
      lastFactAt: this.lastFactAt,
      lastNotificationAt: this.lastNotificationAt,
      lastKeepaliveAt: this.lastKeepaliveAt,
    };
  }

  /** Resolves once every id of `wanted` has arrived; rejects after `timeoutMs` saying how many are missing. */
  async waitFor(wanted: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const have = this.ids();
      const missing = wanted.filter((id) => !have.has(id)).length;
      if (missing === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.label}: ${missing} of ${wanted.length} acknowledged facts missing after ${timeoutMs} ms (ends: ${this.ends.join(", ") || "none"})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 200);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let after = this.options.startingAfter;
    while (!this.abort.signal.aborted) {
      this.subscriptions++;
      this.caughtUp = false;
      const request = subscriptionRequest({
        specs: [{ ns: this.options.ns }],
        continuous: true,
        startingAfter: after ?? null,
        keepaliveIntervalInMs: this.options.keepaliveMs ?? 0,
      });
      try {
        const headers = this.options.label ? { "fc-id": this.options.label } : undefined;
        for await (const n of this.client.subscribe(request, { signal: this.abort.signal, headers })) {
          this.notifications++;
          this.lastNotificationAt = Date.now();
          if (n.type === MSG_Notification_Type.Catchup) this.caughtUp = true;
          if (n.type === MSG_Notification_Type.KeepAlive) this.lastKeepaliveAt = this.lastNotificationAt;
          const facts = notificationFacts(n);
          if (facts.length > 0) {
            this.lastFactAt = this.lastNotificationAt;
            this.facts.push(...facts);
            after = facts[facts.length - 1].id;
            this.waiters.forEach((w) => w());
            this.waiters.clear();
          }
          if (this.options.readDelayMs)
            await sleep((this.options.readDelayMs * Math.min(facts.length || 1, FULL_PAUSE_FACTS)) / FULL_PAUSE_FACTS);
        }
        this.ends.push("ok");
      } catch (error) {
        if (this.abort.signal.aborted) return;
        const code = ConnectError.from(error).code;
        this.ends.push(Code[code]);
        if (!this.options.resubscribe || !RETRYABLE.has(code)) return;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }
}

export interface Audit {
  acknowledged: number;
  found: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
}

/** Did `received` hold each acknowledged id exactly once, in increasing serial order? */
export function audit(acknowledged: string[], received: StoredFact[]): Audit {
  const counts = new Map<string, number>();
  for (const f of received) counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
  let outOfOrder = 0;
  for (let i = 1; i < received.length; i++) if (!(received[i].serial > received[i - 1].serial)) outOfOrder++;
  const found = acknowledged.filter((id) => counts.has(id)).length;
  return {
    acknowledged: acknowledged.length,
    found,
    lost: acknowledged.length - found,
    duplicated: [...counts.values()].filter((n) => n > 1).length,
    outOfOrder,
  };
}

/**
 * Publishes `batches` batches of 500 facts of ~1 KB to `ns` before a fault test begins: a backlog
 * that keeps a catch-up reading while the faults hit. Returns their ids in order.
 */
export async function publishBacklog(client: FactStoreClient, ns: string, batches: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < batches; i++) {
    const batch = Array.from({ length: 500 }, (_, j) =>
      fact({ ns, type: "Old", payload: { i, j, pad: "y".repeat(1_000) } }),
    );
    await client.publish(factsMsg(batch));
    ids.push(...batch.map(idOf));
  }
  return ids;
}

/** The worst of several subscribers' audits: the fewest found, the most lost, duplicated, out of order. */
export function worstOf(results: Audit[]): Omit<Audit, "acknowledged"> {
  return {
    found: Math.min(...results.map((r) => r.found)),
    lost: Math.max(...results.map((r) => r.lost)),
    duplicated: Math.max(...results.map((r) => r.duplicated)),
    outOfOrder: Math.max(...results.map((r) => r.outOfOrder)),
  };
}

/** One line of figures per case, greppable in CI output: `[faults] <case>: key=value …`. */
export function printFigures(label: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(`[faults] ${label}: ${text}`);
}

export function idOf(f: MSG_Fact): string {
  return (JSON.parse(f.header) as { id: string }).id;
}

export { randomUUID };
