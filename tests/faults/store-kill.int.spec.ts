// Fault case 3: kill -9 of a store instance in the middle of publishing, 20 rounds. Every
// acknowledged fact is stored exactly once, no batch is ever stored in part, and the instance
// restarts on the same database and serves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUp } from "../support/client.js";
import { fact, factsMsg, uniqueName } from "../support/facts.js";
import type { TestDatabase } from "../support/database.js";
import { databaseOf, FaultCluster, sleep } from "./support/cluster.js";
import { expectAlive, startStoreOn, type StoreOnCluster } from "./support/setup.js";
import { audit, idOf, printFigures } from "./support/workload.js";

const ROUNDS = 20;
const PUBLISHERS = 3;

let cluster: FaultCluster;
let database: TestDatabase;

beforeAll(async () => {
  cluster = await FaultCluster.start();
  database = await cluster.createDatabase("store_kill");
}, 120_000);

afterAll(async () => {
  await cluster?.close();
}, 60_000);

interface Batch {
  ids: string[];
  acknowledged: boolean;
}

/** Publishes batches of 1 to 200 facts one after another until a publish fails (the store died). */
async function publishUntilKilled(s: StoreOnCluster, ns: string, batches: Batch[]): Promise<void> {
  for (;;) {
    const facts = Array.from({ length: 1 + Math.floor(Math.random() * 200) }, () =>
      fact({ ns, type: "T", payload: { pad: "z".repeat(200) } }),
    );
    const batch: Batch = { ids: facts.map(idOf), acknowledged: false };
    batches.push(batch);
    try {
      await s.client.publish(factsMsg(facts), { timeoutMs: 10_000 });
      batch.acknowledged = true;
    } catch {
      return;
    }
  }
}

describe("kill -9 of a store instance mid-publish", () => {
  it(`${ROUNDS} rounds: acknowledged facts are stored once, no batch in part, and the store restarts and serves`, async () => {
    const ns = uniqueName("killed");
    const batches: Batch[] = [];
    const restarts: number[] = [];
    let s = await startStoreOn(database.url);
    for (let round = 0; round < ROUNDS; round++) {
      const publishing = Array.from({ length: PUBLISHERS }, () => publishUntilKilled(s, ns, batches));
      await sleep(150 + Math.random() * 400);
      s.store.kill();
      await Promise.all(publishing);
      await s.store.stop();
      const started = Date.now();
      s = await startStoreOn(database.url);
      restarts.push(Date.now() - started);
    }

    // What is in the database, read directly: every id of the namespace, with how often it is there.
    const rows = await cluster.query<{ id: string; n: number }>(
      `SELECT header ->> 'id' AS id, count(*)::int AS n FROM fact WHERE header @> $1::jsonb GROUP BY 1`,
      [JSON.stringify({ ns })],
      databaseOf(database.url),
    );
    const stored = new Map(rows.map((r) => [r.id, r.n]));
    const acknowledged = batches.filter((b) => b.acknowledged).flatMap((b) => b.ids);
    const partial = batches.filter((b) => {
      const present = b.ids.filter((id) => stored.has(id)).length;
      return present !== 0 && present !== b.ids.length;
    });
    const unacknowledgedStored = batches.filter((b) => !b.acknowledged && stored.has(b.ids[0])).length;

    // The restarted instance serves: a publish, and a catch-up of everything in order.
    const probe = fact({ ns, type: "Probe" });
    await s.client.publish(factsMsg([probe]));
    const all = await catchUp(s.client, { specs: [{ ns }] }, { timeoutMs: 60_000 });
    const result = audit([...acknowledged, idOf(probe)], all.facts());
    printFigures("case 3 store kill -9", {
      rounds: ROUNDS,
      batches: batches.length,
      ...result,
      partialBatches: partial.length,
      unacknowledgedButStored: unacknowledgedStored,
      storedTwice: [...stored.values()].filter((n) => n > 1).length,
      restartMs: Math.max(...restarts),
    });
    expect(acknowledged.filter((id) => stored.get(id) !== 1)).toEqual([]);
    expect(partial).toEqual([]);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expectAlive(s.store);
    await s.store.stop();
  }, 300_000);
});
