// The transformation cache's writer against a real PostgreSQL: results are written behind the
// stream, and a writer that falls behind (here: the table locked by another session) skips what
// does not fit its bound instead of holding it or delaying the caller; once PostgreSQL takes writes
// again the queued ones land.
import { randomUUID } from "node:crypto";
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

const entry = (payload: string) => ({ factId: randomUUID(), version: 2, chain: "c", ns: "n", type: "T", payload });

async function writes(outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric("factline_transformation_cache_writes_total")!.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe("transformation cache writer", () => {
  it("writes a chunk behind the caller, and skips (counts) what exceeds its bound while PostgreSQL does not take writes", async () => {
    const cache = new TransformationCache(storage.db.lookups, 1024 * 1024 * 1024);
    const first = Array.from({ length: 50 }, (_, i) => entry(`{"i":${i}}`));
    cache.save(first);
    await cache.flushed();
    expect((await cache.find(first)).filter((p) => p !== undefined)).toHaveLength(50);

    const locker = new pg.Client({ connectionString: storage.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE transformation_cache IN EXCLUSIVE MODE");
      const skippedBefore = await writes("skipped");
      const big = `{"s":"${"x".repeat(4 * 1024 * 1024 - 16)}"}`;
      // Just under 4 MiB each: the first eight fill the writer's 32 MiB bound while the table is locked.
      const queued = Array.from({ length: 8 }, () => [entry(big)]);
      const started = performance.now();
      for (const chunk of queued) cache.save(chunk);
      const late = [entry(big), entry(big)];
      cache.save(late);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(cache.stats().dropped).toBe(2);
      expect((await writes("skipped")) - skippedBefore).toBe(2);
      await locker.query("COMMIT");
      await cache.flushed();
      const found = await cache.find([...queued.flat(), ...late]);
      expect(found.slice(0, 8).every((p) => p === big)).toBe(true);
      expect(found.slice(8)).toEqual([undefined, undefined]);
    } finally {
      await locker.end();
    }
  }, 60_000);
});
