// The replication harness itself (tests/replication/support/replication.ts): what the read-replica
// tests rely on — a standby that follows the primary, a replay that pauses, a standby that stops
// and comes back — checked once here so a broken harness is not mistaken for a broken store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplicatedCluster, replicationMissing } from "./support/replication.js";

const missing = replicationMissing();
// Under CI the PostgreSQL 15 binaries are required (vitest.config.ts); elsewhere say why nothing ran.
if (missing && process.env.CI !== "true") console.warn(`replication tests skipped: ${missing}`);

describe.skipIf(missing !== undefined && process.env.CI !== "true")("a primary with a streaming hot standby", () => {
  let cluster: ReplicatedCluster;
  beforeAll(async () => {
    cluster = await ReplicatedCluster.start();
    await cluster.primaryQuery("CREATE TABLE t (n int)");
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  const count = async () => Number((await cluster.standbyQuery<{ n: string }>("SELECT count(*) AS n FROM t"))[0].n);

  it("the standby is read-only and shows what the primary committed", async () => {
    await cluster.primaryQuery("INSERT INTO t SELECT generate_series(1, 10)");
    await cluster.waitForReplay();
    expect(await count()).toBe(10);
    const [{ recovery }] = await cluster.standbyQuery<{ recovery: boolean }>("SELECT pg_is_in_recovery() AS recovery");
    expect(recovery).toBe(true);
    await expect(cluster.standbyQuery("INSERT INTO t VALUES (1)")).rejects.toThrow(/read-only transaction/);
  });

  it("a paused replay shows nothing newer until it is resumed", async () => {
    await cluster.pauseReplay();
    await cluster.primaryQuery("INSERT INTO t SELECT generate_series(1, 5)");
    await new Promise((r) => setTimeout(r, 500));
    expect(await count()).toBe(10);
    await cluster.resumeReplay();
    await cluster.waitForReplay();
    expect(await count()).toBe(15);
  });

  it("a stopped standby refuses connections and catches up after it starts again", async () => {
    await cluster.stopStandby();
    await expect(cluster.standbyQuery("SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await cluster.primaryQuery("INSERT INTO t SELECT generate_series(1, 5)");
    await cluster.startStandby();
    await cluster.waitForReplay();
    expect(await count()).toBe(20);
  }, 60_000);
});
