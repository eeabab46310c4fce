// This instance in the instance registry (store/storage/instances.ts): every FACTLINE_HEARTBEAT_MS
// one statement records that it lives and what each of its subscriptions has done, sweeps instances
// whose heartbeat lapsed, and picks up operators' requests to end a subscription — which also
// arrive at once by NOTIFY. A beat that fails (the database away) is simply retried at the next;
// the outage itself is logged by store/storage/health.ts.
import { hostname } from "node:os";
import { log } from "../log";
import type { StoreDatabase } from "../storage/db";
import {
  beat,
  removeInstance,
  SUBSCRIPTION_END_CHANNEL,
  type EndRequest,
  type NewSubscription,
  type SubscriptionProgress,
} from "../storage/instances";
import type { NotificationListener } from "../storage/listener";
import type { TailHub } from "../subscriptions/tail";
import type { LocalSubscriptions, TrackedSubscription } from "./tracked";

// A clean stop removes the instance's rows (after a beat still running); past this the database is
// not answering and the rows lapse by themselves. Well inside the 8 s store/main.ts allows a stop.
const REMOVE_TIMEOUT_MS = 2_000;

export interface InstanceIdentity {
  id: string;
  version: string;
  startedMs: number;
  heartbeatMs: number;
}

export class InstanceHeartbeat {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private addresses?: { grpc: string; http: string };
  private stopped = false;
  /** Delivered counts at the previous beat, for each subscription's rate. */
  private previous = new Map<string, { delivered: number; atMs: number }>();

  constructor(
    private readonly db: StoreDatabase,
    listener: NotificationListener,
    private readonly subscriptions: LocalSubscriptions,
    private readonly tail: TailHub,
    readonly identity: InstanceIdentity,
  ) {
    listener.on(SUBSCRIPTION_END_CHANNEL, {
      onNotify: (payload) => this.endRequested(payload),
      // Requests made while not listening are found by the next beat.
      onResync: () => {},
    });
  }

  /** Begins beating, once the instance's ports are known (they are part of its row). */
  announce(addresses: { grpc: string; http: string }): void {
    this.addresses = addresses;
    this.running = this.beat();
    this.timer = setInterval(() => {
      // A beat still running (a slow database) is not doubled.
      this.running ??= this.beat();
    }, this.identity.heartbeatMs);
    this.timer.unref();
  }

  /** Leaves the registry: the instance and its subscriptions disappear for every other instance. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (!this.addresses) return;
    // Bounded as a whole: a beat stuck on an unreachable database must not hold up the stop.
    const remove = async () => {
      await this.running;
      await removeInstance(this.db.lookups, this.identity.id);
    };
    await Promise.race([
      remove().catch((err: Error) =>
        log.warn("could not remove this instance from the instance registry; it lapses by itself", {
          error: err.message,
        }),
      ),
      new Promise((resolve) => setTimeout(resolve, REMOVE_TIMEOUT_MS).unref()),
    ]);
  }

  private async beat(): Promise<void> {
    try {
      if (this.stopped || !this.addresses) return;
      const now = Date.now();
      const head = this.tail.headSerial();
      const added: NewSubscription[] = [];
      const known: SubscriptionProgress[] = [];
      const rates = new Map<string, { delivered: number; atMs: number }>();
      for (const s of this.subscriptions.all()) {
        const progress = this.progressOf(s, head, now);
        rates.set(s.id, { delivered: s.delivered, atMs: now });
        if (s.persisted) known.push(progress);
        else added.push({ ...progress, ...this.descriptionOf(s) });
      }
      this.previous = rates;
      const result = await beat(
        this.db.lookups,
        {
          id: this.identity.id,
          host: hostname(),
          pid: process.pid,
          version: this.identity.version,
          grpcAddress: this.addresses.grpc,
          httpAddress: this.addresses.http,
          startedMs: this.identity.startedMs,
          heartbeatMs: this.identity.heartbeatMs,
          ready: this.db.health.reachable() && this.tail.isReading(),
          tailSerial: head,
        },
        added,
        known,
      );
      for (const s of added) {
        const tracked = this.subscriptions.get(s.id);
        if (tracked) tracked.persisted = true;
      }
      // Rows swept while this instance could not beat are written in full at the next beat.
      for (const s of known) {
        const tracked = this.subscriptions.get(s.id);
        if (tracked && !result.updated.has(s.id)) tracked.persisted = false;
      }
      for (const end of result.ends) this.end(end);
    } catch (err) {
      log.debug("heartbeat failed; retrying at the next beat", { error: (err as Error).message });
    } finally {
      this.running = undefined;
    }
  }

  private progressOf(s: TrackedSubscription, head: bigint, now: number): SubscriptionProgress {
    const before = this.previous.get(s.id);
    const seconds = before ? (now - before.atMs) / 1000 : 0;
    const rate = before && seconds > 0 ? (s.delivered - before.delivered) / seconds : 0;
    return {
      id: s.id,
      delivered: s.delivered,
      lastSerial: s.lastSerial,
      position: s.position(head),
      caughtUp: s.caughtUp,
      rate: Math.max(0, rate),
    };
  }

  private descriptionOf(s: TrackedSubscription) {
    return {
      clientId: s.origin.clientId,
      clientAddress: s.origin.clientAddress,
      account: s.origin.account,
      debugInfo: s.debugInfo,
      specs: s.specs,
      mode: s.mode,
      startedMs: s.startedMs,
    };
  }

  private endRequested(payload: string): void {
    let request: EndRequest;
    try {
      request = JSON.parse(payload) as EndRequest;
    } catch {
      return; // not ours to parse; the next beat reads the request from the table
    }
    this.end(request);
  }

  /** Ends a subscription of this instance; one of another instance is not found here and ignored. */
  end(request: EndRequest): void {
    const tracked = this.subscriptions.get(request.id);
    if (!tracked || tracked.endedBy !== undefined) return;
    log.info("subscription ended by an operator", {
      subscription: request.id,
      by: request.by,
      reason: request.reason,
      client: tracked.origin.clientId,
      account: tracked.origin.account,
    });
    tracked.end(request.by, request.reason, request.reconnect);
  }
}
