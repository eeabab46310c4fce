// The transformation cache's writer against a real PostgreSQL: results are written behind the
// stream; a delivery stage that finds the writes past their bound waits for them (paced()) until
// they fall under it, and never longer than the stall bound when PostgreSQL does not take writes
// (here: the table locked by another session) — then results are skipped instead of held, and
// once PostgreSQL takes writes again the queued ones land. A write whose connection is killed
// (PostgreSQL gone halfway) fails at once and frees its bytes, so nobody waits for it.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { registry } from "../metrics/registry";
import { TransformationCache } from "./cache";

let storage: TestStorage;
beforeAll(async () => {
  storage = await openTestStorage("transformation_cache_writer", { poolSize: 5 });
});
afterAll(async () => {
  await storage?.close();
});

let serial = 0;
const entry = (payload: string) => ({
  ser: String(++serial),
  chain: "c",
  version: 2,
  ns: "n",
  type: "T",
  header: "{}",
  payload,
});

/** Whether the cache's INSERT is in PostgreSQL, waiting for the table lock. */
async function writeWaitsForLock(): Promise<boolean> {
  const rows = await storage.admin<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'
        AND query LIKE 'INSERT INTO transformation_cache%'`,
  );
  return rows[0].n > 0;
}

async function writes(outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric("factline_transformation_cache_writes_total")!.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe("transformation cache writer", () => {
  it("writes behind the caller; paced() waits for writes past the bound, and only until they stall; then skips (counts)", async () => {
    const pendingBytes = 64 * 1024;
    const stallMs = 2_000;
    const cache = new TransformationCache(storage.db.lookups, 1024 * 1024 * 1024, { pendingBytes, stallMs });
    const first = Array.from({ length: 50 }, (_, i) => entry(`{"i":${i}}`));
    cache.save(first);
    await cache.flushed();
    expect((await cache.find(first)).filter((p) => p !== undefined)).toHaveLength(50);
    // Under the bound: no wait.
    let started = performance.now();
    await cache.paced();
    expect(performance.now() - started).toBeLessThan(100);

    // Past the bound with PostgreSQL taking writes: paced() returns once they are in.
    const big = `{"s":"${"x".repeat(100 * 1024)}"}`;
    const written = [entry(big), entry(big)];
    cache.save(written);
    await cache.paced();
    expect(cache.stats().paced).toBe(1);
    expect(await cache.find(written)).toEqual([big, big]);

    const locker = new pg.Client({ connectionString: storage.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE transformation_cache IN EXCLUSIVE MODE");
      const skippedBefore = await writes("skipped");
      const queued = [entry(big)];
      started = performance.now();
      cache.save(queued);
      // The bound is reached: what arrives now is skipped, and the caller is never delayed.
      const late = [entry(big), entry(big)];
      cache.save(late);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(cache.stats().dropped).toBe(2);
      expect((await writes("skipped")) - skippedBefore).toBe(2);

      // A subscription that ends while waiting stops waiting.
      const ending = new AbortController();
      setTimeout(() => ending.abort(), 200);
      started = performance.now();
      await cache.paced(ending.signal);
      expect(performance.now() - started).toBeLessThan(stallMs);
      // The statement runs past the stall bound: paced() gives up, and from then on does not wait.
      await cache.paced();
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThan(stallMs - 300);
      expect(waited).toBeLessThan(stallMs + 3_000);
      started = performance.now();
      await cache.paced();
      expect(performance.now() - started).toBeLessThan(100);

      await locker.query("COMMIT");
      await cache.flushed();
      const found = await cache.find([...queued, ...late]);
      expect(found).toEqual([big, undefined, undefined]);
      // Writes land again: the next chunk past the bound is waited for once more.
      const again = [entry(big)];
      cache.save(again);
      await cache.paced();
      expect(cache.stats().paced).toBe(4);
      expect(await cache.find(again)).toEqual([big]);
    } finally {
      await locker.end();
    }
  }, 60_000);

  it("stops waiting at once when PostgreSQL goes away under a write: the failed write frees its bytes", async () => {
    const cache = new TransformationCache(storage.db.lookups, 1024 * 1024 * 1024, {
      pendingBytes: 64 * 1024,
      stallMs: 30_000,
    });
    const big = `{"s":"${"z".repeat(100 * 1024)}"}`;
    const locker = new pg.Client({ connectionString: storage.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE transformation_cache IN EXCLUSIVE MODE");
      const lost = [entry(big)];
      cache.save(lost);
      const waiting = cache.paced();
      // The write waits for the lock; its connection is killed as a failover or crash would.
      for (let i = 0; i < 200 && !(await writeWaitsForLock()); i++) await new Promise((r) => setTimeout(r, 50));
      const started = performance.now();
      expect(await storage.terminateStoreBackends()).toBeGreaterThan(0);
      await waiting;
      expect(performance.now() - started).toBeLessThan(5_000);
      await locker.query("COMMIT");
      await cache.flushed();
      expect(cache.stats().writes).toBe(0);
      // The cache answers again once PostgreSQL does: nothing to wait for, and the next write lands.
      const again = [entry(big)];
      cache.save(again);
      await cache.paced();
      expect(await cache.find([...lost, ...again])).toEqual([undefined, big]);
    } finally {
      await locker.end();
    }
  }, 60_000);
});
