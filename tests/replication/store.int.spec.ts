// Store processes with FACTLINE_READ_URLS on real streaming replication (README "Read replicas"):
// followers that catch up on the replica while publishers run get every fact exactly once in serial
// order (the gap-free test of tests/conformance/concurrency.int.spec.ts, catch-ups on the replica);
// a fact just published is found while the replica's replay is paused; a lagging replica is skipped
// with the same results; a bad FACTLINE_READ_URLS stops the start naming the entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  catchUp,
  createFactStoreClient,
  MSG_Notification_Type as T,
  subscribe,
  type Subscription,
} from "../support/client.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { fact, fetchById, idOf, publish, serialOf, type StoredFact } from "../support/facts.js";
import { startStore, type RunningStore } from "../support/store.js";
import { ReplicatedCluster, replicationMissing } from "./support/replication.js";

const missing = replicationMissing();
if (missing && process.env.CI !== "true") console.warn(`replication tests skipped: ${missing}`);

const PUBLISHERS = 4;
const FACTS_PER_PUBLISHER = 300;

/** A counter of the store's /metrics, summed over the label sets matching `labels`. */
async function metric(store: RunningStore, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${store.httpUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(" ").pop());
  }
  return sum;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("a bad FACTLINE_READ_URLS", () => {
  it("stops the start, naming the entry and hiding its password", async () => {
    const started = startStore({
      databaseUrl: "postgres://nobody@127.0.0.1:1/none",
      env: { FACTLINE_READ_URLS: "postgres://r:hunter2@replica/db,mysql://r:hunter2@replica/db" },
    });
    const error = await started.then(
      async (store) => {
        await store.stop();
        return new Error("the store started");
      },
      (err: Error) => err,
    );
    expect(error.message).toMatch(
      /FACTLINE_READ_URLS entry 2 of 2 \("mysql:\/\/r:\*\*\*@replica\/db"\) must be a postgres/,
    );
    expect(error.message).not.toContain("hunter2");
  });
});

describe.skipIf(missing !== undefined && process.env.CI !== "true")(
  "two store instances reading from a hot standby",
  () => {
    let cluster: ReplicatedCluster;
    let database: TestDatabase;
    let stores: RunningStore[] = [];
    beforeAll(async () => {
      cluster = await ReplicatedCluster.start();
      database = await createTestDatabase(cluster.primaryUrl(), "replica-store");
      const name = decodeURIComponent(new URL(database.url).pathname.slice(1));
      await cluster.waitForReplay();
      const env = { FACTLINE_READ_URLS: cluster.standbyUrl(name), FACTLINE_READ_POOL_SIZE: "5" };
      stores = [await startStore({ databaseUrl: database.url, env })];
      stores.push(await startStore({ databaseUrl: database.url, env }));
    }, 180_000);
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.stop()));
      await database?.drop().catch(() => {});
      await cluster?.close();
    }, 60_000);

    const client = (i: number) => createFactStoreClient(stores[i % stores.length].url);

    it("followers catching up on the replica while publishers run see every fact once, in order", async () => {
      const ns = "gapless";
      // Some history first, so the first followers' catch-ups have something to read on the replica.
      for (let i = 0; i < 4; i++)
        await publish(
          client(i),
          Array.from({ length: 250 }, () => fact({ ns, type: "Old" })),
        );
      await cluster.waitForReplay();
      for (const store of stores) {
        await waitFor(
          "the replica in use",
          async () => (await metric(store, "factline_replica_position_serial")) >= 1_000,
        );
      }
      const before = await Promise.all(
        stores.map((s) => metric(s, "factline_replica_reads_total", { kind: "catchup", served: "replica" })),
      );

      const followers: Array<{ name: string; after: number; sub: Subscription }> = [];
      const join = async (name: string, i: number, afterId?: string) => {
        const after = afterId ? (await serialOf(client(0), afterId))! : 0;
        followers.push({
          name,
          after,
          sub: subscribe(client(i), { specs: [{ ns }], continuous: true, startingAfter: afterId ?? null }),
        });
      };
      for (let i = 0; i < 4; i++) await join(`scratch-${i}`, i);

      const published: string[] = [];
      let joins = 0;
      const joining: Promise<void>[] = [];
      await Promise.all(
        Array.from({ length: PUBLISHERS }, async (_, p) => {
          for (let sent = 0; sent < FACTS_PER_PUBLISHER;) {
            const size = sent % 2 === 0 ? 1 : 1 + ((p * 7 + sent) % 17);
            const batch = Array.from({ length: Math.min(size, FACTS_PER_PUBLISHER - sent) }, () =>
              fact({ ns, type: "New" }),
            );
            await publish(client(p), batch);
            published.push(...batch.map(idOf));
            sent += batch.length;
            // Followers joining mid-publishing: from scratch (catch-up on the replica, hand-over to the
            // primary while facts commit) and after a fact just published (found on the primary when
            // the replica has not replayed it yet).
            if (published.length > (joins + 1) * 150 && joins < 6) {
              joins++;
              joining.push(join(`late-${joins}`, joins, joins % 2 === 0 ? published[published.length - 1] : undefined));
            }
          }
        }),
      );
      await Promise.all(joining);
      const log = (await catchUp(client(0), { specs: [{ ns }] }, { timeoutMs: 60_000 })).facts();
      expect(log).toHaveLength(1_000 + PUBLISHERS * FACTS_PER_PUBLISHER);
      expect(new Set(log.map((f) => f.id))).toEqual(new Set([...log.slice(0, 1_000).map((f) => f.id), ...published]));

      const expectedFor = (after: number) => log.filter((f) => f.serial > after).map((f) => f.id);
      const deadline = Date.now() + 60_000;
      for (const f of followers) {
        await f.sub
          .waitForFacts(expectedFor(f.after).length, Math.max(1, deadline - Date.now()))
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 500));
      const problems = followers.flatMap((f) => {
        const got = f.sub.facts().map((x: StoredFact) => x.id);
        const want = expectedFor(f.after);
        const same = got.length === want.length && got.every((id, i) => id === want[i]);
        const catchups = f.sub.types().filter((t) => t === T.Catchup).length;
        return same && catchups === 1 ? [] : [`${f.name}: ${got.length} of ${want.length} facts, Catchup ${catchups}×`];
      });
      followers.forEach((f) => f.sub.cancel());
      expect(problems).toEqual([]);
      const after = await Promise.all(
        stores.map((s) => metric(s, "factline_replica_reads_total", { kind: "catchup", served: "replica" })),
      );
      expect(after[0] + after[1] - before[0] - before[1]).toBeGreaterThan(0);
    }, 180_000);

    it("with replay paused, a fact just published is fetched and followed; past the bound the replica is skipped", async () => {
      const ns = "paused";
      await publish(
        client(0),
        Array.from({ length: 100 }, () => fact({ ns })),
      );
      await cluster.waitForReplay();
      await cluster.pauseReplay();
      try {
        const fresh = fact({ ns, type: "Fresh" });
        await publish(client(1), [fresh]);
        // Not on the replica: the primary answers.
        expect((await fetchById(client(0), idOf(fresh)))?.id).toBe(idOf(fresh));
        expect(await serialOf(client(1), idOf(fresh))).toBeGreaterThan(0);
        const first = (await catchUp(client(0), { specs: [{ ns }] })).facts();
        expect(first).toHaveLength(101);
        // Lagging: logged once, in the metrics, and catch-ups go to the primary with the same facts.
        await waitFor(
          "the replica lagging",
          async () => (await metric(stores[0], "factline_replica_state", { state: "lagging" })) === 1,
          20_000,
        );
        const none = await metric(stores[0], "factline_replica_reads_total", {
          kind: "catchup",
          served: "primary_none",
        });
        const second = (await catchUp(client(0), { specs: [{ ns }] })).facts();
        expect(second).toEqual(first);
        expect(
          await metric(stores[0], "factline_replica_reads_total", { kind: "catchup", served: "primary_none" }),
        ).toBe(none + 1);
        expect(stores[0].stderr()).toMatch(/read replica lagging/);
      } finally {
        await cluster.resumeReplay();
      }
      await waitFor(
        "the replica healthy again",
        async () => (await metric(stores[0], "factline_replica_state", { state: "healthy" })) === 1,
        20_000,
      );
      expect(stores[0].stderr()).toMatch(/read replica in use again \(was lagging\)/);
    }, 90_000);
  },
);
