// The subscriptions this store instance serves, as operators see them: who reads what, how far it
// has got and how far behind it is. The protocol adapter opens one TrackedSubscription per
// subscribe call and tells it each event; the heartbeat (store/instances/heartbeat.ts) writes them to
// the database every few seconds and metrics read them when scraped. Per fact nothing happens here:
// a batch of facts costs two assignments and one counter increment.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { StoredFact } from "../facts/fact";
import type { FactSpec, SubscriptionRequest } from "../facts/spec";
import { factsDelivered, subscriptionsStarted } from "../metrics/registry";
import type { Follower } from "../subscriptions/follower";
import type { SubscriptionEvent } from "../subscriptions/subscription";
import type { TailHub } from "../subscriptions/tail";

export type SubscriptionMode = "catchup" | "follow" | "ephemeral";
export const SUBSCRIPTION_MODES: readonly SubscriptionMode[] = ["catchup", "follow", "ephemeral"];

// Client-chosen texts are kept for display only; bounded so a client cannot park megabytes here.
const MAX_CLIENT_TEXT = 200;
const MAX_DEBUG_INFO = 1_000;

/** Who opened a subscription, as the gRPC layer knows it. */
export interface SubscriptionOrigin {
  /** fc-id: the client's name for itself. */
  clientId: string;
  clientAddress: string;
  account: string;
}

// Bound once: a batch of delivered facts is one increment of an existing child.
const DELIVERED = Object.fromEntries(
  SUBSCRIPTION_MODES.map((mode) => [
    mode,
    { catchup: factsDelivered.labels(mode, "catchup"), live: factsDelivered.labels(mode, "live") },
  ]),
) as Record<SubscriptionMode, { catchup: { inc(n: number): void }; live: { inc(n: number): void } }>;

export class TrackedSubscription {
  readonly id = randomUUID();
  readonly startedMs = Date.now();
  readonly mode: SubscriptionMode;
  readonly specs: FactSpec[];
  readonly debugInfo: string;
  readonly origin: SubscriptionOrigin;
  /** Facts handed to the client so far. */
  delivered = 0;
  /** The serial of the last fact handed to the client (0 before the first). */
  lastSerial = 0n;
  /** Everything up to here was examined: facts skipped as not matching (Ffwd, the tail) count too. */
  private seen = 0n;
  /** Past its catch-up: following live facts (or, for a catch-up, done). */
  caughtUp = false;
  /** Waiting for the store to produce the next event, rather than for the client to take the last. */
  waitingForStore = false;
  /** The live tail's inbox while following. */
  follower?: Follower;
  /** Set when an operator ended it (EndSubscription). */
  endedBy?: string;
  /** For the heartbeat: whether the database has this subscription's row (with its specs). */
  persisted = false;
  private readonly ending = new AbortController();
  private readonly counters: { catchup: { inc(n: number): void }; live: { inc(n: number): void } };

  constructor(
    request: SubscriptionRequest,
    origin: SubscriptionOrigin,
    private readonly registry: LocalSubscriptions,
  ) {
    this.mode = !request.continuous ? "catchup" : request.ephemeral ? "ephemeral" : "follow";
    this.specs = request.specs;
    this.debugInfo = (request.debugInfo ?? "").slice(0, MAX_DEBUG_INFO);
    this.origin = {
      clientId: origin.clientId.slice(0, MAX_CLIENT_TEXT),
      clientAddress: origin.clientAddress.slice(0, MAX_CLIENT_TEXT),
      account: origin.account,
    };
    this.counters = DELIVERED[this.mode];
    subscriptionsStarted.labels(this.mode).inc();
  }

  /** Calls `endCall` with the status for the client when an operator ends the subscription. */
  onEnd(endCall: (reason: ConnectError) => void): void {
    this.ending.signal.addEventListener("abort", () => endCall(this.ending.signal.reason as ConnectError), {
      once: true,
    });
  }

  /** The tail the subscription follows through, so that its follower is known for lag figures. */
  tracking(tail: TailHub): Pick<TailHub, "attach" | "detach"> {
    return {
      attach: (specs, position) => {
        const attached = tail.attach(specs, position);
        this.follower = attached.follower;
        return attached;
      },
      detach: (follower) => {
        if (this.follower === follower) this.follower = undefined;
        tail.detach(follower);
      },
    };
  }

  /** Live facts the follower wrote into the client's stream itself (no event for them). */
  sawLive(facts: StoredFact[]): void {
    const n = facts.length;
    this.delivered += n;
    this.lastSerial = facts[n - 1].ser;
    if (this.lastSerial > this.seen) this.seen = this.lastSerial;
    this.counters.live.inc(n);
  }

  /** Called with every event before it goes to the client. */
  saw(event: SubscriptionEvent): void {
    switch (event.kind) {
      case "facts": {
        const n = event.facts.length;
        this.delivered += n;
        this.lastSerial = event.facts[n - 1].ser;
        if (this.lastSerial > this.seen) this.seen = this.lastSerial;
        (event.live ? this.counters.live : this.counters.catchup).inc(n);
        break;
      }
      case "rows": {
        const n = event.rows.length;
        this.delivered += n;
        this.lastSerial = event.rows.lastSer;
        if (this.lastSerial > this.seen) this.seen = this.lastSerial;
        this.counters.catchup.inc(n);
        break;
      }
      case "ffwd":
        if (event.ser > this.seen) this.seen = event.ser;
        break;
      case "catchup":
        this.caughtUp = true;
        break;
    }
  }

  /**
   * How far this subscription has examined the log, given the tail's head: while it waits for new
   * facts with nothing queued it has seen everything the tail has; otherwise up to what it handed on.
   */
  position(tailHead: bigint): bigint {
    const follower = this.follower;
    if (follower && this.caughtUp && this.waitingForStore && follower.backlog().count === 0) {
      return tailHead > this.seen ? tailHead : this.seen;
    }
    return this.seen;
  }

  /**
   * How long the oldest fact waiting in its live inbox has waited (ms), 0 when none waits. Facts
   * carry the store's publish time in meta._ts.
   */
  waitingMs(now = Date.now()): number {
    const oldest = this.follower?.backlog().oldest;
    const ts = oldest?.header.meta?._ts;
    return typeof ts === "number" ? Math.max(0, now - ts) : 0;
  }

  /**
   * Ends the subscription for an operator: CANCELLED ends it for good (a FactCast client gives up),
   * ABORTED lets a FactCast client resubscribe after the last fact it got (to move or restart it).
   */
  end(by: string, reason: string, letReconnect: boolean): void {
    if (this.ending.signal.aborted) return;
    this.endedBy = by;
    const message = `subscription ended by ${by}${reason ? `: ${reason}` : ""}`;
    this.ending.abort(new ConnectError(message, letReconnect ? Code.Aborted : Code.Canceled));
  }

  close(): void {
    this.follower = undefined;
    this.registry.remove(this);
  }
}

/** This instance's subscriptions, by id. */
export class LocalSubscriptions {
  private readonly byId = new Map<string, TrackedSubscription>();

  open(request: SubscriptionRequest, origin: SubscriptionOrigin): TrackedSubscription {
    const tracked = new TrackedSubscription(request, origin, this);
    this.byId.set(tracked.id, tracked);
    return tracked;
  }

  remove(tracked: TrackedSubscription): void {
    this.byId.delete(tracked.id);
  }

  get(id: string): TrackedSubscription | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<TrackedSubscription> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}
