// The transformation cache end to end (store/transformations/cache.ts; its storage has its own
// tests in store/storage/transformation-cache): shared by the store instances of one database, so a
// second instance serves what the first transformed without running a script; fetchByIdAndVersion
// served from it too; and its bound (FACTLINE_TRANSFORMATION_CACHE_MB) held by eviction of the least
// recently used entries while every fact still arrives correctly transformed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreClient } from "../../factcast/client.js";
import { catchUp, createFactStoreClient, toMsgUuid, type FactStoreClient } from "../support/client.js";
import { fact, idOf, publish, uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
let second: RunningStore;
beforeAll(async () => {
  // A 1 MB bound, so the bound case below outgrows it with a few hundred facts.
  const env = { FACTLINE_TRANSFORMATION_CACHE_MB: "1" };
  fx = await startStoreOnFreshDatabase("transformation_cache", { env });
  second = await startStore({ databaseUrl: fx.databaseUrl, env });
}, 180_000);
afterAll(async () => {
  await second?.stop();
  await fx?.close();
}, 60_000);

const admin = (url: string) => createStoreClient({ url, clientId: "transformation-cache-test" });

/** A type with versions 1 and 2 and an upcast that adds `upper`. */
async function upcastType(url: string): Promise<{ ns: string; type: string }> {
  const { registry, transformations } = admin(url);
  const ns = uniqueName("cached");
  const type = "Note";
  for (const version of [1, 2]) await registry.registerSchema({ key: { ns, type, version }, schemaJson: "{}" });
  await transformations.registerTransformation({
    key: { ns, type, fromVersion: 1, toVersion: 2 },
    code: "function (e) { e.upper = e.text.toUpperCase(); }",
  });
  return { ns, type };
}

/** Waits until the instance's queued cache writes are in (they go behind the stream). */
async function writesSettled(url: string, atLeast: bigint): Promise<void> {
  const { transformations } = admin(url);
  for (let i = 0; i < 200; i++) {
    if ((await transformations.getTransformationStats({})).cacheWrites >= atLeast) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cache writes did not reach ${atLeast}`);
}

const upperOf = (payloadText: string) => (JSON.parse(payloadText) as { upper: string }).upper;

describe("the transformation cache", () => {
  it("is shared by the instances of a database: the second serves what the first transformed, running no script", async () => {
    const { ns, type } = await upcastType(fx.store.url);
    const facts = Array.from({ length: 40 }, (_, i) => fact({ ns, type, version: 1, payload: { text: `note ${i}` } }));
    await publish(fx.client, facts);
    const specs = [{ ns, type, version: 2 }];

    const firstWrites = (await admin(fx.store.url).transformations.getTransformationStats({})).cacheWrites;
    const onFirst = await catchUp(fx.client, { specs });
    expect(onFirst.facts().map((f) => upperOf(f.payloadText))).toEqual(facts.map((_, i) => `NOTE ${i}`));
    await writesSettled(fx.store.url, firstWrites + 40n);

    const secondClient: FactStoreClient = createFactStoreClient(second.url);
    const stats = () => admin(second.url).transformations.getTransformationStats({});
    const before = await stats();
    const onSecond = await catchUp(secondClient, { specs });
    expect(onSecond.facts().map((f) => f.payloadText)).toEqual(onFirst.facts().map((f) => f.payloadText));
    expect(onSecond.facts().every((f) => f.version === 2)).toBe(true);
    const after = await stats();
    expect(after.transformedFacts - before.transformedFacts).toBe(0n);
    expect(after.cacheHits - before.cacheHits).toBe(40n);

    // One fact by id and version: from the cache as well.
    const { msb, lsb } = toMsgUuid(idOf(facts[7]));
    const one = await secondClient.fetchByIdAndVersion({ msb, lsb, ver: 2 });
    expect(one.present).toBe(true);
    expect(upperOf(one.fact!.payload)).toBe("NOTE 7");
    const last = await stats();
    expect(last.transformedFacts - after.transformedFacts).toBe(0n);
    expect(last.cacheHits - after.cacheHits).toBe(1n);
  }, 120_000);

  it("stays within its bound by evicting the least recently used entries; evicted facts are transformed again", async () => {
    const { ns, type } = await upcastType(fx.store.url);
    // 400 facts of ~6 KB: ~4.8 MB transformed (text and upper), well past the 1 MB bound.
    const text = "x".repeat(3_000);
    const facts = Array.from({ length: 400 }, (_, i) =>
      fact({ ns, type, version: 1, payload: { text: `${i} ${text}` } }),
    );
    for (let i = 0; i < facts.length; i += 100) await publish(fx.client, facts.slice(i, i + 100));
    const specs = [{ ns, type, version: 2 }];
    const { transformations } = admin(fx.store.url);

    const startWrites = (await transformations.getTransformationStats({})).cacheWrites;
    const first = await catchUp(fx.client, { specs });
    expect(first.facts()).toHaveLength(400);
    await writesSettled(fx.store.url, startWrites + 400n);
    let stats = await transformations.getTransformationStats({});
    for (let i = 0; i < 200 && stats.cacheBytes > stats.cacheBoundBytes; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await transformations.getTransformationStats({});
    }
    expect(stats.cacheBoundBytes).toBe(1024n * 1024n);
    expect(stats.cacheBytes, `${stats.cacheBytes} bytes cached`).toBeLessThanOrEqual(stats.cacheBoundBytes);
    expect(stats.cacheEntries).toBeGreaterThan(0n);
    expect(stats.cacheEntries).toBeLessThan(400n);

    // Every fact still arrives transformed; what was evicted ran its script again.
    const again = await catchUp(fx.client, { specs });
    expect(again.facts().map((f) => f.payloadText)).toEqual(first.facts().map((f) => f.payloadText));
    const after = await transformations.getTransformationStats({});
    expect(after.transformedFacts - stats.transformedFacts).toBeGreaterThan(0n);
    expect(after.cacheHits - stats.cacheHits + (after.transformedFacts - stats.transformedFacts)).toBe(400n);
  }, 180_000);

  it("serves a catch-up's cached facts from its own read, beside uncached, already-v2 and other-type facts, in serial order", async () => {
    const { ns, type } = await upcastType(fx.store.url);
    const { transformations } = admin(fx.store.url);
    const cached = Array.from({ length: 5 }, (_, i) =>
      fact({ ns, type, version: 1, payload: { text: `cached ${i}` } }),
    );
    await publish(fx.client, cached);
    const startWrites = (await transformations.getTransformationStats({})).cacheWrites;
    await catchUp(fx.client, { specs: [{ ns, type, version: 2 }] });
    await writesSettled(fx.store.url, startWrites + 5n);

    const later = [
      fact({ ns, type, version: 1, payload: { text: "fresh a" } }),
      fact({ ns, type, version: 2, payload: { text: "given", upper: "AS PUBLISHED" } }),
      fact({ ns, type: "Other", version: 1, payload: { text: "other" } }),
      fact({ ns, type, version: 1, payload: { text: "fresh b" } }),
    ];
    await publish(fx.client, later);
    const specs = [
      { ns, type, version: 2 },
      { ns, type: "Other" },
    ];
    const asPublished = await catchUp(fx.client, { specs: specs.map((s) => ({ ...s, version: 0 })) });
    const before = await transformations.getTransformationStats({});
    const got = (await catchUp(fx.client, { specs })).facts();
    const after = await transformations.getTransformationStats({});

    expect(got.map((f) => f.id)).toEqual([...cached, ...later].map(idOf));
    expect(got.map((f) => f.version)).toEqual([2, 2, 2, 2, 2, 2, 2, 1, 2]);
    expect(got.map((f) => upperOf(f.payloadText))).toEqual([
      ...cached.map((_, i) => `CACHED ${i}`),
      "FRESH A",
      "AS PUBLISHED",
      undefined,
      "FRESH B",
    ]);
    // Only the version differs from the header as published; facts sent as stored are byte for byte.
    const published = asPublished.facts();
    got.forEach((f, i) => expect(f.header).toEqual({ ...published[i].header, version: f.version }));
    expect([got[6].headerText, got[7].headerText]).toEqual([published[6].headerText, published[7].headerText]);
    expect([got[6].payloadText, got[7].payloadText]).toEqual([published[6].payloadText, published[7].payloadText]);
    expect(after.cacheHits - before.cacheHits).toBe(5n);
    expect(after.transformedFacts - before.transformedFacts).toBe(2n);
  }, 120_000);
});
