// Fault case 2, stressed: PostgreSQL faults of every kind the store meets — fast shutdown, kill -9 of
// the postmaster, pg_terminate_backend of all its connections or of one role only (catch-up and
// gap reads, the live tail, the LISTEN connection, lookups) — at random points of the subscription
// cycle, under live followers on two instances, a slow reader and subscribers that cancel and
// resubscribe all the time (so catch-ups, their last reads and the gap reads between catch-up and
// live are always somewhere in flight when a fault hits). Every subscriber ends with every
// acknowledged fact exactly once, in order; the live streams outlive every fault.
import { describe, expect, it } from "vitest";
import type { FactStoreClient } from "../support/client.js";
import { uniqueName, type StoredFact } from "../support/facts.js";
import { databaseOf, sleep } from "./support/cluster.js";
import { waitForEvery } from "./support/diagnose.js";
import { expectAlive, twoStoresOnCluster } from "./support/setup.js";
import { audit, Follower, printFigures, publishBacklog, Publisher, worstOf } from "./support/workload.js";

/** Faults per run: each kind at least once, the rest drawn at random (about a minute in all). */
const ROUNDS = 12;
/** A resubscribing subscriber keeps each subscription this long (ms, at random): a few reads. */
const CHURN_MS = [150, 1_200] as const;

type Fault = "fast" | "kill" | "all" | "reads" | "tail" | "listen" | "lookups";
const FAULTS: Fault[] = ["fast", "kill", "all", "reads", "tail", "listen", "lookups"];

const stores = twoStoresOnCluster("points");

/**
 * A subscriber that cancels its subscription after a moment and subscribes again after the last
 * fact it got, over and over: each subscription is a catch-up, its last read, then a gap read.
 * A subscription refused for a lost connection (UNAVAILABLE, before it began) is retried by its Follower.
 */
class Resubscriber {
  readonly facts: StoredFact[] = [];
  subscriptions = 0;
  /** How subscriptions ended other than by this client cancelling them. */
  readonly ends: string[] = [];
  private stopping = false;
  private loop?: Promise<void>;

  constructor(
    private readonly client: FactStoreClient,
    private readonly ns: string,
    readonly label: string,
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops churning, then follows once more until it has `wanted` (with the failure report if not). */
  async finish(wanted: string[], timeoutMs: number): Promise<void> {
    this.stopping = true;
    await this.loop;
    const last = this.next("final");
    try {
      const have = new Set(this.facts.map((f) => f.id));
      await waitForEvery(
        [last],
        wanted.filter((id) => !have.has(id)),
        timeoutMs,
        { a: stores.a, b: stores.b },
      );
    } finally {
      await this.collect(last);
    }
  }

  private async run(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const follower = this.next(String(i));
      await sleep(CHURN_MS[0] + Math.random() * (CHURN_MS[1] - CHURN_MS[0]));
      await this.collect(follower);
    }
  }

  private next(suffix: string): Follower {
    this.subscriptions++;
    return new Follower(this.client, {
      ns: this.ns,
      startingAfter: this.facts.at(-1)?.id,
      resubscribe: true,
      keepaliveMs: 3_000,
      label: `${this.label}#${suffix}`,
    }).start();
  }

  private async collect(follower: Follower): Promise<void> {
    await follower.stop();
    this.facts.push(...follower.facts);
    this.ends.push(...follower.ends);
  }
}

describe("PostgreSQL faults at random points of the subscription cycle", () => {
  it(`${ROUNDS} faults of every kind: every subscriber gets every acknowledged fact once, live streams stay open`, async () => {
    const { cluster, database, a, b } = stores;
    const ns = uniqueName("points");
    const backlog = await publishBacklog(a.client, ns, 6);
    const followers = [
      new Follower(a.client, { ns, resubscribe: true, keepaliveMs: 3_000, label: "a/live" }).start(),
      new Follower(b.client, { ns, resubscribe: true, keepaliveMs: 3_000, label: "b/live" }).start(),
      new Follower(a.client, { ns, resubscribe: true, readDelayMs: 150, label: "a/slow" }).start(),
    ];
    const resubscribers = [
      new Resubscriber(a.client, ns, "a/resubscriber").start(),
      new Resubscriber(b.client, ns, "b/resubscriber").start(),
    ];
    const publishers = [a, b].map((s) =>
      new Publisher(s.client, { ns, batch: () => 1 + Math.floor(Math.random() * 10), deadlineMs: 5_000 }).start(),
    );

    // The live streams are open before the first fault (see tests/faults/restart.int.spec.ts).
    await Promise.all(followers.map((f) => f.waitFor(backlog.slice(0, 1), 30_000)));

    const faults = [
      ...FAULTS,
      ...Array.from({ length: ROUNDS - FAULTS.length }, () => FAULTS[Math.floor(Math.random() * FAULTS.length)]),
    ].sort(() => Math.random() - 0.5);
    const db = databaseOf(database.url);
    for (const fault of faults) {
      await sleep(200 + Math.random() * 900);
      if (fault === "fast" || fault === "kill") {
        if (fault === "fast") await cluster.stopFast();
        else await cluster.killPostmaster();
        await sleep(Math.random() * 1_500);
        await cluster.start();
      } else {
        // Every connection of the store (`all`), or one role's (store/storage/db.ts names them).
        const application = fault === "all" ? "factline-store%" : `factline-store ${fault}`;
        await cluster.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name LIKE $1 AND datname = $2 AND pid <> pg_backend_pid()`,
          [application, db],
        );
      }
    }
    await sleep(500);
    await Promise.all(publishers.map((p) => p.stop()));
    const acknowledged = [...backlog, ...publishers.flatMap((p) => p.acknowledged)];
    await waitForEvery(followers, acknowledged, 60_000, { a, b });
    await Promise.all(resubscribers.map((r) => r.finish(acknowledged, 60_000)));
    await Promise.all(followers.map((f) => f.stop()));

    const results = [...followers, ...resubscribers].map((f) => audit(acknowledged, f.facts));
    printFigures("case 2 faults at random points", {
      rounds: faults.length,
      faults: faults.join(","),
      acknowledged: acknowledged.length,
      ...worstOf(results),
      resubscriptions: resubscribers.map((r) => r.subscriptions).join("/"),
      refusedUnavailable: resubscribers.map((r) => r.ends.length).join("/"),
    });
    for (const r of results) expect(r).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    for (const f of followers) expect(f.facts).toHaveLength(acknowledged.length);
    for (const r of resubscribers) expect(r.facts).toHaveLength(acknowledged.length);
    // The live streams outlived every fault (each far below the 30 s bound).
    for (const f of followers) expect(f.subscriptions, `${f.label} resubscribed (ends: ${f.ends.join(", ")})`).toBe(1);
    // A resubscription is refused only for a lost database connection (a new subscription looks
    // its start up at once), with UNAVAILABLE, which FactCast clients retry.
    for (const r of resubscribers) for (const end of r.ends) expect(end).toBe("Unavailable");
    expect(publishers.flatMap((p) => p.rejections)).toEqual([]);
    expect(publishers.flatMap((p) => p.unresolved)).toEqual([]);
    expectAlive(a.store);
    expectAlive(b.store);
  }, 300_000);
});
