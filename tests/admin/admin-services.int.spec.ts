// factline's admin services over real gRPC: the catalog with counts, and keyset queries in both
// orders with filters and payload previews. And with FACTLINE_ADMIN_SERVICES=off, the store looks
// like a plain FactCast server (UNIMPLEMENTED) while RemoteFactStore keeps working.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogService, FactQueryService, InstanceService, Order } from "../../gen/factline/admin/v1/admin_pb.js";
import { RemoteFactStore } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";
import { Code, expectFailure, MSG_Notification_Type, subscribe } from "../support/client.js";
import { fact, publish, randomUUID, uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type RunningStore, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
let catalog: Client<typeof CatalogService>;
let query: Client<typeof FactQueryService>;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("admin");
  const transport = createGrpcTransport({ baseUrl: fx.store.url });
  catalog = createClient(CatalogService, transport);
  query = createClient(FactQueryService, transport);
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

describe("CatalogService", () => {
  it("counts facts per namespace, type and version with first/last serial and time", async () => {
    const ns = uniqueName("cat");
    const before = Date.now();
    await publish(fx.client, [
      fact({ ns, type: "A", version: 1 }),
      fact({ ns, type: "A", version: 1 }),
      fact({ ns, type: "A", version: 2 }),
      fact({ ns }),
    ]);
    await publish(fx.client, [fact({ ns, type: "A", version: 1 })]);
    const res = await catalog.getCatalog({ ns });
    expect(res.entries.map((e) => [e.ns, e.type, e.version, Number(e.factCount)])).toEqual([
      [ns, "", 0, 1],
      [ns, "A", 1, 3],
      [ns, "A", 2, 1],
    ]);
    const a1 = res.entries.find((e) => e.type === "A" && e.version === 1)!;
    expect(a1.firstSerial).toBeLessThan(a1.lastSerial);
    expect(a1.lastSerial).toBe(res.latestSerial);
    expect(Number(a1.lastPublishedMs)).toBeGreaterThanOrEqual(before - 2_000);
    expect(Number(a1.lastPublishedMs)).toBeLessThanOrEqual(Date.now() + 2_000);
  });

  it("lists every namespace without a filter", async () => {
    const [n1, n2] = [uniqueName("all"), uniqueName("all")];
    await publish(fx.client, [fact({ ns: n1, type: "X" }), fact({ ns: n2, type: "Y" })]);
    const namespaces = new Set((await catalog.getCatalog({})).entries.map((e) => e.ns));
    expect(namespaces.has(n1) && namespaces.has(n2)).toBe(true);
  });
});

describe("FactQueryService", () => {
  const ns = uniqueName("q");
  const agg = randomUUID();
  let serials: bigint[] = [];

  beforeAll(async () => {
    await publish(
      fx.client,
      Array.from({ length: 25 }, (_, i) =>
        fact({
          ns,
          type: i % 2 === 0 ? "Even" : "Odd",
          aggIds: i < 5 ? [agg] : [],
          meta: i % 5 === 0 ? { tenant: "acme" } : {},
          payload: { i },
        }),
      ),
    );
    const all = await query.queryFacts({ filters: [{ ns }], order: Order.OLDEST_FIRST, limit: 1000 });
    serials = all.facts.map((f) => f.serial);
  });

  it("pages newest first by keyset without gaps or repeats, even while facts arrive", async () => {
    const seen: bigint[] = [];
    let before = 0n;
    for (let page = 0; ; page++) {
      const res = await query.queryFacts({ filters: [{ ns }], limit: 10, beforeSerial: before });
      seen.push(...res.facts.map((f) => f.serial));
      // New facts arriving between pages must not shift the pages already being walked.
      if (page === 0) await publish(fx.client, [fact({ ns: uniqueName("noise") })]);
      if (!res.hasMore) break;
      before = res.facts[res.facts.length - 1].serial;
    }
    expect(seen).toEqual([...serials].reverse());
  });

  it("pages oldest first with after_serial", async () => {
    const first = await query.queryFacts({ filters: [{ ns }], order: Order.OLDEST_FIRST, limit: 20 });
    expect(first.hasMore).toBe(true);
    const second = await query.queryFacts({
      filters: [{ ns }],
      order: Order.OLDEST_FIRST,
      limit: 20,
      afterSerial: first.facts[19].serial,
    });
    expect(second.hasMore).toBe(false);
    expect([...first.facts, ...second.facts].map((f) => f.serial)).toEqual(serials);
  });

  it.each([
    ["types", { ns, types: ["Even"] }, 13],
    ["several types", { ns, types: ["Even", "Odd"] }, 25],
    ["agg_ids", { ns, aggIds: [agg.toUpperCase()] }, 5],
    ["meta", { ns, meta: { tenant: "acme" } }, 5],
    ["meta_present", { ns, metaPresent: ["tenant"] }, 5],
    ["meta_absent", { ns, metaAbsent: ["tenant"] }, 20],
    ["ns * with a type", { ns: "*", types: ["Odd"], aggIds: [agg] }, 2],
  ])("filters by %s", async (_name, filter, expected) => {
    const res = await query.queryFacts({ filters: [filter], limit: 1000 });
    expect(res.facts.length).toBe(expected);
  });

  it("returns the stored header and a cut payload preview with the whole payload's size", async () => {
    const payload = JSON.stringify({ text: "é".repeat(3_000) });
    const pns = uniqueName("preview");
    await publish(fx.client, [fact({ ns: pns, payload })]);
    const [cut] = (await query.queryFacts({ filters: [{ ns: pns }], payloadPreviewBytes: 100 })).facts;
    expect(cut.payloadTruncated).toBe(true);
    expect(cut.payload).toBe(payload.slice(0, 100));
    expect(Number(cut.payloadBytes)).toBe(Buffer.byteLength(payload));
    expect(JSON.parse(cut.header).meta._ser).toBe(Number(cut.serial));
    const [whole] = (await query.queryFacts({ filters: [{ ns: pns }] })).facts;
    expect(whole.payloadTruncated).toBe(false);
    expect(whole.payload).toBe(payload);
  });

  it.each([
    ["a limit above 1000", { limit: 1001 }, "limit"],
    ["a negative limit", { limit: -1 }, "limit"],
    ["an aggregate id that is not a UUID", { filters: [{ ns, aggIds: ["nope"] }] }, "agg_ids"],
    [
      "a meta key both present and absent",
      { filters: [{ ns, metaPresent: ["k"], metaAbsent: ["k"] }] },
      "both present and absent",
    ],
    ["a negative serial bound", { afterSerial: -5n }, "negative"],
  ])("rejects %s with INVALID_ARGUMENT saying what to fix", async (_name, request, message) => {
    const error = await expectFailure(query.queryFacts(request));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toContain(message);
  });
});

describe("FACTLINE_ADMIN_SERVICES=off", () => {
  let plain: RunningStore;
  beforeAll(async () => {
    plain = await startStore({ databaseUrl: fx.databaseUrl, env: { FACTLINE_ADMIN_SERVICES: "off" } });
  }, 90_000);
  afterAll(async () => {
    await plain?.stop();
  });

  it("answers the admin services with UNIMPLEMENTED and still serves FactCast's protocol", async () => {
    const transport = createGrpcTransport({ baseUrl: plain.url });
    expect((await expectFailure(createClient(CatalogService, transport).getCatalog({}))).code).toBe(Code.Unimplemented);
    expect((await expectFailure(createClient(FactQueryService, transport).queryFacts({}))).code).toBe(
      Code.Unimplemented,
    );
    expect((await createClient(RemoteFactStore, transport).latestSerial({})).serial).toBeGreaterThan(0n);
  });

  it("refuses a setting that is neither on nor off", async () => {
    await expect(
      startStore({ databaseUrl: fx.databaseUrl, env: { FACTLINE_ADMIN_SERVICES: "maybe" } }),
    ).rejects.toThrow(/FACTLINE_ADMIN_SERVICES must be on or off/);
  });
});

describe("InstanceService", () => {
  it("counts this instance's subscriptions, and lets go of cancelled ones", async () => {
    const instance = createClient(InstanceService, createGrpcTransport({ baseUrl: fx.store.url }));
    const before = await instance.getInstanceStats({});
    expect(before.version).toMatch(/^factline-/);
    const subs = Array.from({ length: 3 }, () =>
      subscribe(fx.client, { specs: [{ ns: uniqueName("idle") }], continuous: true }),
    );
    await Promise.all(subs.map((s) => s.waitForType(MSG_Notification_Type.Catchup)));
    const during = await instance.getInstanceStats({});
    expect(during.activeSubscriptions - before.activeSubscriptions).toBe(3);
    expect(during.liveFollowers - before.liveFollowers).toBe(3);
    subs.forEach((s) => s.cancel());
    await Promise.all(subs.map((s) => s.ended));
    const deadline = Date.now() + 5_000;
    for (;;) {
      const after = await instance.getInstanceStats({});
      if (after.activeSubscriptions === before.activeSubscriptions && after.liveFollowers === before.liveFollowers)
        break;
      if (Date.now() > deadline) throw new Error(`subscriptions still counted: ${after.activeSubscriptions}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
