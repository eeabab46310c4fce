// The catch-up on a read replica (store/storage/replicas/catchup-reader.ts) against real streaming
// replication: it reads the replica up to the serial the replica has and the primary after it, so
// the facts are exactly the primary's; a standby stopped mid-catch-up hands over after the last
// fact returned; a paused (lagging) replica is read only up to what it shows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FactSpec } from "../../store/facts/spec";
import { FactReader } from "../../store/storage/read";
import { CatchupReader } from "../../store/storage/replicas/catchup-reader";
import { MAX_LAG_MS } from "../../store/storage/replicas/replica";
import { ReplicatedCluster, replicationMissing } from "./support/replication.js";
import { factSpec } from "../support/storage.js";
import { openReplicatedStorage, type ReplicatedStorage } from "./support/storage.js";

const missing = replicationMissing();
if (missing && process.env.CI !== "true") console.warn(`replication tests skipped: ${missing}`);

const spec = (ns: string): FactSpec => factSpec(ns);

async function readAll(reader: { next(): Promise<{ ser: bigint; header: string }[]>; close(): Promise<void> }) {
  const got: { ser: bigint; id: string }[] = [];
  try {
    for (let facts = await reader.next(); facts.length > 0; facts = await reader.next()) {
      got.push(...facts.map((f) => ({ ser: f.ser, id: (JSON.parse(f.header) as { id: string }).id })));
    }
  } finally {
    await reader.close();
  }
  return got;
}

describe.skipIf(missing !== undefined && process.env.CI !== "true")("catch-up on a read replica", () => {
  let cluster: ReplicatedCluster;
  let storage: ReplicatedStorage;
  beforeAll(async () => {
    cluster = await ReplicatedCluster.start();
    storage = await openReplicatedStorage(cluster, "replica-catchup");
  }, 180_000);
  afterAll(async () => {
    await storage?.close();
    await cluster?.close();
  }, 60_000);

  const primaryLog = (ns: string) => readAll(new FactReader(storage.db.reads, [spec(ns)], 0n));

  it("reads the replica up to its serial, the primary after it: the primary's facts exactly", async () => {
    await storage.append(3_000, "whole");
    await cluster.waitForReplay();
    await storage.replicas.pollOnce();
    const [replica] = storage.replicas.replicas;
    expect(replica.state).toBe("healthy");
    const replicaSerial = replica.serial;
    // Published after the replica's last poll: only the primary's part of the catch-up has them.
    await storage.append(700, "whole");
    const reader = new CatchupReader(storage.db, [spec("whole")], 0n, {});
    expect(reader.onReplica).toBe(true);
    const got = await readAll(reader);
    expect(got).toEqual(await primaryLog("whole"));
    expect(got).toHaveLength(3_700);
    expect(got.filter((f) => f.ser <= replicaSerial)).toHaveLength(3_000);
  }, 60_000);

  it("a standby stopped mid-catch-up: the primary goes on after the last fact returned", async () => {
    await storage.append(20_000, "stopped", 1_000);
    await cluster.waitForReplay();
    await storage.replicas.pollOnce();
    const reader = new CatchupReader(storage.db, [spec("stopped")], 0n, {});
    expect(reader.onReplica).toBe(true);
    const got: { ser: bigint; id: string }[] = [];
    try {
      const first = await reader.next();
      got.push(...first.map((f) => ({ ser: f.ser, id: (JSON.parse(f.header) as { id: string }).id })));
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(20_000);
      await cluster.stopStandby();
      got.push(...(await readAll(reader)));
      // The lost connection made the replica unreachable at once; a good poll brings it back.
      expect(storage.replicas.replicas[0].state).toBe("unreachable");
    } finally {
      await reader.close();
      if (!cluster.isStandbyRunning()) await cluster.startStandby();
    }
    expect(reader.onReplica).toBe(false);
    expect(got).toEqual(await primaryLog("stopped"));
    await cluster.waitForReplay();
    await storage.replicas.pollOnce();
    expect(storage.replicas.replicas[0].state).toBe("healthy");
  }, 120_000);

  it("a replica whose replay is paused is read only up to what it shows, then the primary", async () => {
    await storage.append(1_000, "paused");
    await cluster.waitForReplay();
    await cluster.pauseReplay();
    try {
      await storage.replicas.pollOnce();
      const shown = storage.replicas.replicas[0].serial;
      await storage.append(1_000, "paused");
      await storage.replicas.pollOnce();
      // Within the lag bound it is still used, up to what it has.
      expect(storage.replicas.replicas[0].state).toBe("healthy");
      expect(storage.replicas.replicas[0].serial).toBe(shown);
      const reader = new CatchupReader(storage.db, [spec("paused")], 0n, {});
      expect(reader.onReplica).toBe(true);
      expect(await readAll(reader)).toEqual(await primaryLog("paused"));

      // Past the bound it is lagging: catch-ups and lookups go to the primary alone, with the same facts.
      await new Promise((r) => setTimeout(r, MAX_LAG_MS + 500));
      await storage.replicas.pollOnce();
      expect(storage.replicas.replicas[0].state).toBe("lagging");
      expect(storage.replicas.replicas[0].lagMs).toBeGreaterThan(MAX_LAG_MS);
      const onPrimary = new CatchupReader(storage.db, [spec("paused")], 0n, {});
      expect(onPrimary.onReplica).toBe(false);
      expect(await readAll(onPrimary)).toEqual(await primaryLog("paused"));
      await cluster.resumeReplay();
      await cluster.waitForReplay();
      await storage.replicas.pollOnce();
      expect(storage.replicas.replicas[0].state).toBe("healthy");
    } finally {
      await cluster.resumeReplay();
    }
  }, 90_000);
});
