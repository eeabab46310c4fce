// Fault case 1: pg_terminate_backend of every store connection — during a slow catch-up (the
// scenario that used to crash the store), under live publishing, and around conditional
// publishes. The store stays up; every subscriber ends with every acknowledged fact exactly once,
// in order, on the stream it had.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import type { TestDatabase } from "../support/database.js";
import { databaseOf, FaultCluster, sleep } from "./support/cluster.js";
import { expectAlive, startStoreOn, type StoreOnCluster } from "./support/setup.js";
import { audit, Follower, idOf, printFigures, Publisher } from "./support/workload.js";

let cluster: FaultCluster;
let database: TestDatabase;
let fx: StoreOnCluster;

beforeAll(async () => {
  cluster = await FaultCluster.start();
  database = await cluster.createDatabase("terminate");
  fx = await startStoreOn(database.url);
}, 120_000);

afterAll(async () => {
  await fx?.store.stop();
  await cluster?.close();
}, 60_000);

describe("pg_terminate_backend of every store connection", () => {
  it("during a slow catch-up of 20,000 facts: the store stays up and the subscriber gets every fact once", async () => {
    const ns = uniqueName("why");
    const published: string[] = [];
    const payload = { pad: "x".repeat(1_000) };
    for (let b = 0; b < 40; b++) {
      const batch = Array.from({ length: 500 }, (_, i) => fact({ ns, type: "T", payload: { ...payload, b, i } }));
      await fx.client.publish(factsMsg(batch));
      published.push(...batch.map(idOf));
    }
    // A client that reads slowly: the catch-up cursor is open, mid-log, when the connections go.
    const follower = new Follower(fx.client, { ns, readDelayMs: 300 }).start();
    while (follower.facts.length < 2_000) await sleep(50);
    const atTermination = follower.facts.length;
    const terminated = await cluster.terminateStoreBackends(databaseOf(database.url));
    await sleep(500);
    expectAlive(fx.store);
    const started = Date.now();
    // Facts published after the fault reach the same subscription once it is live.
    const later = Array.from({ length: 100 }, () => fact({ ns, type: "T" }));
    await fx.client.publish(factsMsg(later));
    published.push(...later.map(idOf));
    await follower.waitFor(published, 60_000);
    const recoveryMs = Date.now() - started;
    await follower.stop();

    const result = audit(published, follower.facts);
    printFigures("case 1a slow catch-up", {
      rounds: 1,
      terminated,
      atTermination,
      ...result,
      subscriptions: follower.subscriptions,
      recoveryMs,
    });
    expect(atTermination).toBeLessThan(20_000);
    expect(terminated).toBeGreaterThan(0);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(follower.facts).toHaveLength(published.length);
    // The catch-up resumed on its own stream: the client never had to resubscribe.
    expect(follower.subscriptions).toBe(1);
    expectAlive(fx.store);
  }, 120_000);

  it("while following under publishing: every acknowledged fact reaches every follower once, in order", async () => {
    const ns = uniqueName("follow");
    const followers = [0, 1].map(() => new Follower(fx.client, { ns, resubscribe: true }).start());
    const publishers = [0, 1].map(() =>
      new Publisher(fx.client, { ns, batch: () => 1 + Math.floor(Math.random() * 20) }).start(),
    );
    const ROUNDS = 5;
    let terminated = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(400 + Math.random() * 400);
      terminated += await cluster.terminateStoreBackends(databaseOf(database.url));
    }
    await sleep(500);
    const started = Date.now();
    await Promise.all(publishers.map((p) => p.stop()));
    const acknowledged = publishers.flatMap((p) => p.acknowledged);
    await Promise.all(followers.map((f) => f.waitFor(acknowledged, 30_000)));
    const recoveryMs = Date.now() - started;
    await Promise.all(followers.map((f) => f.stop()));

    const results = followers.map((f) => audit(acknowledged, f.facts));
    printFigures("case 1b follow under publishing", {
      rounds: ROUNDS,
      terminated,
      acknowledged: acknowledged.length,
      found: Math.min(...results.map((r) => r.found)),
      lost: Math.max(...results.map((r) => r.lost)),
      duplicated: Math.max(...results.map((r) => r.duplicated)),
      outOfOrder: Math.max(...results.map((r) => r.outOfOrder)),
      failedPublishAttempts: publishers.reduce((n, p) => n + p.failures.length, 0),
      resubscriptions: followers.reduce((n, f) => n + f.subscriptions - 1, 0),
      recoveryMs,
    });
    expect(publishers.flatMap((p) => p.rejections)).toEqual([]);
    expect(publishers.flatMap((p) => p.unresolved)).toEqual([]);
    for (const r of results) expect(r).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    // Only acknowledged facts exist in the namespace: a failed publish stored nothing, a retried one once.
    for (const f of followers) expect(f.facts).toHaveLength(acknowledged.length);
    for (const f of followers) expect(f.subscriptions).toBe(1);
    expectAlive(fx.store);
  }, 120_000);

  it("around conditional publishes: each success is stored once, each refusal not at all", async () => {
    const ns = uniqueName("conditional");
    const follower = new Follower(fx.client, { ns }).start();
    const ROUNDS = 40;
    const stored: string[] = [];
    const refused: string[] = [];
    let retries = 0;
    let terminated = 0;
    const killer = (async () => {
      for (let round = 0; round < 8; round++) {
        await sleep(150 + Math.random() * 250);
        terminated += await cluster.terminateStoreBackends(databaseOf(database.url));
      }
    })();
    for (let round = 0; round < ROUNDS; round++) {
      const f = fact({ ns, type: "Locked", payload: { round } });
      // As FactCast's lock(): take a token, publish if unchanged; a retryable failure retries the
      // same publish with the same token and fact.
      for (;;) {
        try {
          const token = await fx.client.currentStateForSpecsJson({
            json: JSON.stringify([{ ns, type: null, version: 0, aggIds: [], meta: {}, metaKeyExists: {} }]),
          });
          for (;;) {
            try {
              const { success } = await fx.client.publishConditional(
                { facts: factsMsg([f]), tokenPresent: true, token },
                { timeoutMs: 10_000 },
              );
              (success ? stored : refused).push(idOf(f));
              break;
            } catch {
              retries++;
              await sleep(100);
            }
          }
          break;
        } catch {
          retries++;
          await sleep(100);
        }
      }
    }
    await killer;
    await follower.waitFor(stored, 30_000);
    await sleep(500);
    await follower.stop();
    const result = audit(stored, follower.facts);
    const refusedButStored = follower.facts.filter((x) => refused.includes(x.id)).length;
    printFigures("case 1c conditional publishes", {
      rounds: ROUNDS,
      terminated,
      retries,
      ...result,
      refused: refused.length,
      refusedButStored,
    });
    expect(result).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(refusedButStored).toBe(0);
    expect(follower.facts).toHaveLength(stored.length);
    // Nothing else writes this namespace, so every token is still current when used.
    expect(refused).toEqual([]);
    expectAlive(fx.store);
  }, 120_000);
});
