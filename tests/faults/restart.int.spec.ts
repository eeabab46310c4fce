// Fault case 2: PostgreSQL restarted under two store instances with four followers, a slow catch-up
// and two publishers — five fast shutdowns and one kill -9 of the postmaster. Followers keep their
// streams, publishes fail fast while the server is down, and every acknowledged fact reaches every
// subscriber exactly once, in order. Past the outage bound a subscription ends with UNAVAILABLE and
// a resubscription after the last fact gets the rest exactly once.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import { sleep } from "./support/cluster.js";
import { waitForEvery } from "./support/diagnose.js";
import { expectAlive, startStoreOn, twoStoresOnCluster } from "./support/setup.js";
import { audit, Follower, idOf, printFigures, publishBacklog, Publisher, worstOf } from "./support/workload.js";

/** A publish during an outage must fail within this (store/storage/db.ts CONNECTION_WAIT_MS is 5 s). */
const FAIL_FAST_MS = 6_000;
/** How long the database stays down in each round: long enough for publishes to fail, well below the bound. */
const DOWN_MS = 1_000;

const stores = twoStoresOnCluster("restart");

describe("PostgreSQL restarts under two store instances", () => {
  it("5 fast shutdowns and a kill -9: every follower keeps its stream and gets every acknowledged fact once", async () => {
    const { cluster, a, b } = stores;
    const ns = uniqueName("restart");
    // A backlog for a slow catch-up that is still reading when the restarts begin.
    const backlog = await publishBacklog(a.client, ns, 10);
    const followers = (["a", "a", "b", "b"] as const).map((s, i) =>
      new Follower({ a, b }[s].client, {
        ns,
        resubscribe: true,
        keepaliveMs: 3_000,
        label: `${s}/follower-${i + 1}`,
      }).start(),
    );
    const slow = new Follower(b.client, { ns, resubscribe: true, readDelayMs: 400, label: "b/slow" }).start();
    // The client waits longer than the store's own connection wait (5 s), so what a failed publish
    // shows is the store's answer (UNAVAILABLE, fast), never the client giving up first.
    const publishers = [a, b].map((s) =>
      new Publisher(s.client, { ns, batch: () => 1 + Math.floor(Math.random() * 10), deadlineMs: 10_000 }).start(),
    );

    // Every subscription is open before the first fault (on a loaded machine a follower may take
    // longer than the first pause to subscribe, and one refused while the server is down would be
    // counted as a resubscription below).
    await Promise.all([...followers, slow].map((f) => f.waitFor(backlog.slice(0, 1), 30_000)));

    const recoveries: number[] = [];
    const rounds: Array<"fast" | "kill"> = ["fast", "fast", "fast", "fast", "fast", "kill"];
    let slowAtFirstFault = 0;
    for (const [i, kind] of rounds.entries()) {
      await sleep(700);
      if (i === 0) slowAtFirstFault = slow.facts.length;
      if (kind === "fast") await cluster.stopFast();
      else await cluster.killPostmaster();
      await sleep(DOWN_MS);
      await cluster.start();
      // Recovery: both publishers have a publish acknowledged after the server is back.
      const up = Date.now();
      const counts = publishers.map((p) => p.batches.length);
      while (publishers.some((p, k) => p.batches.length === counts[k])) {
        if (Date.now() - up > 30_000)
          throw new Error(`round ${i} (${kind}): no publish acknowledged 30 s after restart`);
        await sleep(20);
      }
      recoveries.push(Date.now() - up);
    }
    await Promise.all(publishers.map((p) => p.stop()));
    const acknowledged = [...backlog, ...publishers.flatMap((p) => p.acknowledged)];
    await waitForEvery([...followers, slow], acknowledged, 60_000, { a, b });
    await sleep(300);
    await Promise.all([...followers, slow].map((f) => f.stop()));

    const results = [...followers, slow].map((f) => audit(acknowledged, f.facts));
    const failures = publishers.flatMap((p) => p.failures);
    printFigures("case 2 restarts", {
      rounds: rounds.length,
      acknowledged: acknowledged.length,
      ...worstOf(results),
      failedPublishes: failures.length,
      slowestFailureMs: Math.max(0, ...failures.map((f) => f.ms)),
      resubscriptions: [...followers, slow].reduce((n, f) => n + f.subscriptions - 1, 0),
      slowCatchUpAtFirstFault: slowAtFirstFault,
      recoveryMs: recoveries.join("/"),
    });
    expect(publishers.flatMap((p) => p.rejections)).toEqual([]);
    expect(publishers.flatMap((p) => p.unresolved)).toEqual([]);
    for (const r of results) expect(r).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    for (const f of [...followers, slow]) expect(f.facts).toHaveLength(acknowledged.length);
    // The streams outlived every outage (each far below the 30 s bound).
    for (const f of [...followers, slow])
      expect(f.subscriptions, `${f.label} resubscribed (ends: ${f.ends.join(", ")})`).toBe(1);
    // The slow catch-up was mid-log when the first restart hit it.
    expect(slowAtFirstFault).toBeLessThan(backlog.length);
    // Publishes failed while the server was down, each quickly and with UNAVAILABLE.
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.code, `a publish failed after ${f.ms} ms with ${Code[f.code]}`).toBe(Code.Unavailable);
      expect(f.ms).toBeLessThan(FAIL_FAST_MS);
    }
    expectAlive(a.store);
    expectAlive(b.store);
  }, 240_000);

  it("past the outage bound a follow ends with UNAVAILABLE, and resubscribing after the last fact gets the rest once", async () => {
    const { cluster, database } = stores;
    const ns = uniqueName("bound");
    const BOUND_MS = 2_000;
    const c = await startStoreOn(database.url, { FACTLINE_DB_OUTAGE_MS: String(BOUND_MS) });
    try {
      const before = Array.from({ length: 50 }, () => fact({ ns, type: "T" }));
      await c.client.publish(factsMsg(before));
      const resubscribing = new Follower(c.client, { ns, resubscribe: true }).start();
      const ending = new Follower(c.client, { ns }).start();
      await resubscribing.waitFor(before.map(idOf), 10_000);
      await ending.waitFor(before.map(idOf), 10_000);

      await cluster.stopFast();
      const down = Date.now();
      while (ending.ends.length === 0 && Date.now() - down < BOUND_MS + 10_000) await sleep(50);
      const endedAfterMs = Date.now() - down;
      await sleep(500);
      await cluster.start();
      const after = Array.from({ length: 50 }, () => fact({ ns, type: "T" }));
      for (;;) {
        try {
          await c.client.publish(factsMsg(after));
          break;
        } catch {
          await sleep(100);
        }
      }
      const all = [...before, ...after].map(idOf);
      await resubscribing.waitFor(all, 30_000);
      await sleep(300);
      await Promise.all([resubscribing.stop(), ending.stop()]);
      const result = audit(all, resubscribing.facts);
      printFigures("case 2 outage past the bound", {
        rounds: 1,
        boundMs: BOUND_MS,
        endedAfterMs,
        ...result,
        resubscriptions: resubscribing.subscriptions - 1,
      });
      expect(ending.ends).toEqual(["Unavailable"]);
      expect(endedAfterMs).toBeGreaterThanOrEqual(BOUND_MS - 200);
      expect(endedAfterMs).toBeLessThan(BOUND_MS + 5_000);
      expect(resubscribing.subscriptions).toBeGreaterThan(1);
      expect(result).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
      expect(resubscribing.facts).toHaveLength(all.length);
      expectAlive(c.store);
    } finally {
      await cluster.start();
      await c.store.stop();
    }
  }, 120_000);
});
