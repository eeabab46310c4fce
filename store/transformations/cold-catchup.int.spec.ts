// A cold transformed catch-up larger than the cache's write bound leaves every result in the cache
// (store/transformations/cache.ts, paced()): the delivery stage waits for the writes instead of
// outrunning them, so the next reader is served entirely from the cache. The bound is made small
// here (256 KB against ~2 MB per chunk read) so that every chunk after the first finds the writes
// behind; before pacing, each such chunk's results were skipped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { openInProcessStore, type InProcessStore } from "../../tests/java-client/in-process-store";
import { catchUp, createFactStoreClient, type FactStoreClient } from "../../tests/support/client.js";
import { fact, publish } from "../../tests/support/facts.js";
import { openTestStorage, type TestStorage } from "../../tests/support/storage";
import { registry as metrics } from "../metrics/registry";

let storage: TestStorage;
let store: InProcessStore;
let client: FactStoreClient;
beforeAll(async () => {
  storage = await openTestStorage("transformation_cold_catchup");
  store = await openInProcessStore(storage.url, {}, { transformationCacheLimits: { pendingBytes: 256 * 1024 } });
  client = createFactStoreClient(`http://${store.target}`);
}, 120_000);
afterAll(async () => {
  await store?.close();
  await storage?.close();
}, 60_000);

async function skipped(): Promise<number> {
  const metric = await metrics.getSingleMetric("factline_transformation_cache_writes_total")!.get();
  return metric.values.find((v) => v.labels.outcome === "skipped")?.value ?? 0;
}

describe("a cold transformed catch-up", () => {
  it("leaves every result in the cache when it is larger than the write bound, and the next read is all hits", async () => {
    const admin = createStoreClient({ url: `http://${store.target}`, clientId: "cold-catchup-test" });
    const ns = "paced";
    const type = "Order";
    for (const version of [1, 2]) await admin.registry.registerSchema({ key: { ns, type, version }, schemaJson: "{}" });
    await admin.transformations.registerTransformation({
      key: { ns, type, fromVersion: 1, toVersion: 2 },
      code: 'function (e) { e.label = e.n + "#" + e.text.length; }',
    });
    // 1,200 facts of ~4 KB: ~5 MB read in several chunks, twenty times the 256 KB write bound.
    const text = "y".repeat(4_000);
    const facts = Array.from({ length: 1_200 }, (_, n) => fact({ ns, type, version: 1, payload: { n, text } }));
    for (let i = 0; i < facts.length; i += 200) await publish(client, facts.slice(i, i + 200));
    const specs = [{ ns, type, version: 2 }];
    const stats = () => admin.transformations.getTransformationStats({});
    const skippedBefore = await skipped();

    const cold = await catchUp(client, { specs }, { timeoutMs: 120_000 });
    expect(cold.facts().map((f) => (JSON.parse(f.payloadText) as { label: string }).label)).toEqual(
      facts.map((_, n) => `${n}#4000`),
    );
    // The writes go behind the stream: wait for the last ones, then every fact is cached.
    let after = await stats();
    for (let i = 0; i < 300 && after.cacheWrites < 1_200n; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await stats();
    }
    expect(after.cacheWrites).toBe(1_200n);
    expect(after.cacheEntries).toBe(1_200n);
    expect((await skipped()) - skippedBefore).toBe(0);

    const warm = await catchUp(client, { specs }, { timeoutMs: 120_000 });
    expect(warm.facts().map((f) => f.payloadText)).toEqual(cold.facts().map((f) => f.payloadText));
    const last = await stats();
    expect(last.transformedFacts - after.transformedFacts).toBe(0n);
    expect(last.cacheHits - after.cacheHits).toBe(1_200n);
  }, 240_000);
});
