// Fault case 4: pool starvation. 40 concurrent catch-ups of a FactSpec that no index serves, each
// cancelled by its client after 1 s, while a publisher with a 5 s deadline keeps publishing: every
// publish succeeds, lookups stay quick, and within a few seconds no query of a cancelled call is
// still running. Also: waiting for a connection ends in UNAVAILABLE, a read past its time limit in
// RESOURCE_EXHAUSTED.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriptionRequest } from "../support/client.js";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import type { TestDatabase } from "../support/database.js";
import { databaseOf, FaultCluster, sleep } from "./support/cluster.js";
import { expectAlive, startStoreOn, type StoreOnCluster } from "./support/setup.js";
import { printFigures, Publisher } from "./support/workload.js";

const CATCH_UPS = 40;
const BULK_FACTS = 200_000;

let cluster: FaultCluster;
let database: TestDatabase;
let fx: StoreOnCluster;

beforeAll(async () => {
  cluster = await FaultCluster.start();
  database = await cluster.createDatabase("starvation");
  fx = await startStoreOn(database.url);
  // A large namespace, written directly (seconds instead of a minute through the store).
  await cluster.query(
    `INSERT INTO fact (header, payload)
     SELECT jsonb_build_object('id', gen_random_uuid(), 'ns', 'bulk', 'type', 'T', 'aggIds', '[]'::jsonb, 'meta', '{}'::jsonb),
            json_build_object('n', g, 'pad', repeat('p', 300))
       FROM generate_series(1, $1::int) g`,
    [BULK_FACTS],
    databaseOf(database.url),
  );
}, 180_000);

afterAll(async () => {
  await fx?.store.stop();
  await cluster?.close();
}, 60_000);

/** A catch-up whose FactSpec makes PostgreSQL parse every payload of the namespace (aggIdProperties). */
function expensiveCatchUp(client: StoreOnCluster["client"], signal: AbortSignal): Promise<string> {
  const request = subscriptionRequest({
    specs: [{ ns: "bulk", aggIdProperties: { n: randomUUID() } }],
    continuous: false,
  });
  return (async () => {
    try {
      for await (const _ of client.subscribe(request, { signal })) {
        // nothing matches: only the Info notification arrives
      }
      return "completed";
    } catch (error) {
      return Code[ConnectError.from(error).code];
    }
  })();
}

async function activeReads(): Promise<number> {
  return (await cluster.busyStoreBackends(databaseOf(database.url), "factline-store reads")).filter(
    (b) => b.state === "active",
  ).length;
}

describe("pool starvation", () => {
  it(`${CATCH_UPS} expensive catch-ups cancelled after 1 s: every publish succeeds and their queries are gone within seconds`, async () => {
    const ns = uniqueName("writer");
    const publisher = new Publisher(fx.client, { ns, batch: 10, deadlineMs: 5_000, pauseMs: 20 }).start();
    const lookupMs: number[] = [];
    let looking = true;
    const lookups = (async () => {
      while (looking) {
        const started = Date.now();
        await fx.client.latestSerial({}, { timeoutMs: 5_000 });
        lookupMs.push(Date.now() - started);
        await sleep(100);
      }
    })();

    const aborts = Array.from({ length: CATCH_UPS }, () => new AbortController());
    const catchUps = aborts.map((a) => expensiveCatchUp(fx.client, a.signal));
    // Their clients leave after 1 s, or (on a loaded machine) once their queries have begun to run.
    const began = Date.now();
    await sleep(1_000);
    let runningAtCancel = await activeReads();
    while (runningAtCancel === 0 && Date.now() - began < 15_000) {
      await sleep(100);
      runningAtCancel = await activeReads();
    }
    const cancelled = Date.now();
    for (const a of aborts) a.abort();
    let goneAfterMs = -1;
    while (Date.now() - cancelled < 10_000) {
      if ((await activeReads()) === 0) {
        goneAfterMs = Date.now() - cancelled;
        break;
      }
      await sleep(50);
    }
    const outcomes = await Promise.all(catchUps);
    await sleep(2_000); // publishing goes on after the storm
    looking = false;
    await lookups;
    await publisher.stop();

    printFigures("case 4 starvation", {
      rounds: 1,
      catchUps: CATCH_UPS,
      runningAtCancel,
      queriesGoneAfterMs: goneAfterMs,
      acknowledged: publisher.acknowledged.length,
      failedPublishes: publisher.failures.length + publisher.rejections.length,
      slowestLookupMs: Math.max(...lookupMs),
      cancelled: outcomes.filter((o) => o === "Canceled").length,
    });
    // The expensive reads were running (as many as the reads pool allows) when their clients left.
    expect(runningAtCancel).toBeGreaterThan(0);
    expect(goneAfterMs).toBeGreaterThanOrEqual(0);
    expect(goneAfterMs).toBeLessThan(5_000);
    expect(publisher.failures).toEqual([]);
    expect(publisher.rejections).toEqual([]);
    expect(publisher.acknowledged.length).toBeGreaterThan(0);
    expect(Math.max(...lookupMs)).toBeLessThan(5_000);
    expectAlive(fx.store);
  }, 120_000);

  it("a catch-up that waits 5 s for a connection gets UNAVAILABLE naming the busy pool", async () => {
    // FACTLINE_DB_POOL_SIZE=5 leaves one reads connection; a stalled catch-up keeps it (15 s idle limit).
    const small = await startStoreOn(database.url, { FACTLINE_DB_POOL_SIZE: "5" });
    const hold = new AbortController();
    try {
      const stalled = small.client
        .subscribe(subscriptionRequest({ specs: [{ ns: "bulk" }], continuous: false }), { signal: hold.signal })
        [Symbol.asyncIterator]();
      await stalled.next(); // Info
      await stalled.next(); // the first facts: the cursor is open and the client stops reading
      const started = Date.now();
      let error: ConnectError | undefined;
      try {
        for await (const _ of small.client.subscribe(
          subscriptionRequest({ specs: [{ ns: "bulk" }], continuous: false }),
        )) {
          // waits for the connection
        }
      } catch (e) {
        error = ConnectError.from(e);
      }
      const waitedMs = Date.now() - started;
      printFigures("case 4 connection wait", { rounds: 1, waitedMs, code: error ? Code[error.code] : "none" });
      expect(error?.code).toBe(Code.Unavailable);
      expect(error?.rawMessage).toMatch(/every reads connection of this store instance stayed busy for 5 s/);
      expect(waitedMs).toBeLessThan(8_000);
      // Publishes have connections of their own.
      await small.client.publish(factsMsg([fact({ ns: uniqueName("small") })]), { timeoutMs: 2_000 });
    } finally {
      hold.abort();
      await small.store.stop();
    }
  }, 60_000);

  it("a catch-up read past FACTLINE_CATCHUP_READ_TIMEOUT_MS ends with RESOURCE_EXHAUSTED and is cancelled", async () => {
    const LIMIT_MS = 200;
    const strict = await startStoreOn(database.url, { FACTLINE_CATCHUP_READ_TIMEOUT_MS: String(LIMIT_MS) });
    try {
      // Eight unindexed payload lookups per fact over 200,000 facts: one read takes seconds.
      const specs = Array.from({ length: 8 }, () => ({ ns: "bulk", aggIdProperties: { n: randomUUID() } }));
      const started = Date.now();
      let error: ConnectError | undefined;
      try {
        for await (const _ of strict.client.subscribe(
          subscriptionRequest({ specs, continuous: false, streamInfo: false }),
        )) {
          // nothing matches
        }
      } catch (e) {
        error = ConnectError.from(e);
      }
      const endedAfterMs = Date.now() - started;
      let goneAfterMs = -1;
      for (const at = Date.now(); Date.now() - at < 10_000; await sleep(50)) {
        if ((await activeReads()) === 0) {
          goneAfterMs = Date.now() - at;
          break;
        }
      }
      printFigures("case 4 read time limit", {
        rounds: 1,
        limitMs: LIMIT_MS,
        endedAfterMs,
        queriesGoneAfterMs: goneAfterMs,
      });
      expect(error?.code).toBe(Code.ResourceExhausted);
      expect(error?.rawMessage).toMatch(/a catch-up read ran longer than 0.2 s and was stopped; narrow the FactSpec/);
      expect(endedAfterMs).toBeLessThan(5_000);
      expect(goneAfterMs).toBeGreaterThanOrEqual(0);
      expect(goneAfterMs).toBeLessThan(3_000);
      expectAlive(strict.store);
    } finally {
      await strict.store.stop();
    }
  }, 60_000);
});
