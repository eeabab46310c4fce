// WatchFacts against a real store: live facts arrive in serial order exactly once, batched; a
// reconnect after the last shown serial (or id) repeats and loses nothing; a quiet stream sends
// heartbeats; and cancelling the browser's call ends the subscription on the store's side.
import { createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstanceService } from "../../gen/factline/admin/v1/admin_pb";
import { ConsoleService, type Fact, type WatchFactsRequest } from "../../gen/factline/console/v1/console_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { WatchFactsRequestSchema } from "../../gen/factline/console/v1/console_pb";
import { createConsoleService } from "../../lib/backend/rpc/console-service";
import { createUpstream } from "../../lib/backend/upstream/upstream";
import { fact, publish, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
let console_: Client<typeof ConsoleService>;
let instance: Client<typeof InstanceService>;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("watch");
  const upstream = createUpstream({ url: fx.store.url });
  console_ = createClient(
    ConsoleService,
    createRouterTransport((r) => r.service(ConsoleService, createConsoleService({ upstream }))),
  );
  instance = createClient(InstanceService, createGrpcTransport({ baseUrl: fx.store.url }));
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

/** Reads a watch in the background, collecting facts and events until cancelled. */
function watch(request: MessageInitShape<typeof WatchFactsRequestSchema>) {
  const abort = new AbortController();
  const facts: Fact[] = [];
  const events: string[] = [];
  let batches = 0;
  const done = (async () => {
    try {
      for await (const res of console_.watchFacts(request, { signal: abort.signal })) {
        events.push(res.event.case ?? "none");
        if (res.event.case === "facts") {
          batches++;
          facts.push(...res.event.value.facts);
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  const until = async (condition: () => boolean, what: string, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${facts.length} facts, events ${events.slice(-5)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { facts, events, batches: () => batches, until, cancel: () => abort.abort(), done };
}

describe("WatchFacts", () => {
  it("from now: only new facts, in serial order, exactly once, in few batches", async () => {
    const ns = uniqueName("live");
    await publish(fx.client, [fact({ ns })]); // history: must not appear
    const w = watch({ filters: [{ ns }] });
    await w.until(() => w.events.includes("caughtUp"), "caught up");
    for (let i = 0; i < 200; i += 20)
      await publish(
        fx.client,
        Array.from({ length: 20 }, (_, j) => fact({ ns, payload: { n: i + j } })),
      );
    await w.until(() => w.facts.length >= 200, "200 facts");
    w.cancel();
    await w.done;
    const serials = w.facts.map((f) => f.serial);
    expect(serials.length).toBe(200);
    expect(new Set(serials).size).toBe(200);
    expect(serials).toEqual([...serials].sort((a, b) => (a < b ? -1 : 1)));
    expect(w.facts.map((f) => JSON.parse(f.payloadJson).n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(w.batches()).toBeLessThan(200);
  });

  it("resumes after the last shown serial or id with no gap and no duplicate", async () => {
    const ns = uniqueName("resume");
    const first = watch({ filters: [{ ns }] });
    await first.until(() => first.events.includes("caughtUp"), "caught up");
    await publish(
      fx.client,
      Array.from({ length: 10 }, () => fact({ ns })),
    );
    await first.until(() => first.facts.length >= 10, "10 facts");
    first.cancel();
    await first.done;
    const last = first.facts[first.facts.length - 1];
    // While nobody watches, more facts are published.
    await publish(
      fx.client,
      Array.from({ length: 15 }, () => fact({ ns })),
    );
    for (const request of [
      { afterSerial: last.serial },
      { afterSerial: last.serial, afterId: last.id },
    ] satisfies Array<Partial<WatchFactsRequest>>) {
      const again = watch({ filters: [{ ns }], ...request });
      await again.until(() => again.facts.length >= 15, "the 15 missed facts");
      await new Promise((r) => setTimeout(r, 300));
      again.cancel();
      await again.done;
      expect(again.facts.length).toBe(15);
      expect(again.facts[0].serial).toBeGreaterThan(last.serial);
    }
  });

  it("from the beginning: every matching fact in the store, then the live ones", async () => {
    const ns = uniqueName("beginning");
    await publish(
      fx.client,
      Array.from({ length: 5 }, (_, i) => fact({ ns, payload: { n: i } })),
    );
    await publish(fx.client, [fact({ ns: uniqueName("other") })]);
    const w = watch({ filters: [{ ns }], fromBeginning: true });
    await w.until(() => w.events.includes("caughtUp"), "caught up");
    expect(w.facts.map((f) => JSON.parse(f.payloadJson).n)).toEqual([0, 1, 2, 3, 4]);
    await publish(
      fx.client,
      Array.from({ length: 3 }, (_, i) => fact({ ns, payload: { n: 5 + i } })),
    );
    await w.until(() => w.facts.length >= 8, "8 facts");
    w.cancel();
    await w.done;
    expect(w.facts.map((f) => JSON.parse(f.payloadJson).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("sends heartbeats while the store is quiet", async () => {
    const w = watch({ filters: [{ ns: uniqueName("quiet") }] });
    await w.until(() => w.events.includes("heartbeat"), "a heartbeat", 15_000);
    w.cancel();
    await w.done;
  }, 30_000);

  it("ends the store-side subscription when the browser cancels", async () => {
    const before = await instance.getInstanceStats({});
    const w = watch({ filters: [{ ns: uniqueName("cancel") }] });
    await w.until(() => w.events.includes("caughtUp"), "caught up");
    expect((await instance.getInstanceStats({})).liveFollowers).toBe(before.liveFollowers + 1);
    w.cancel();
    await w.done;
    const deadline = Date.now() + 5_000;
    while ((await instance.getInstanceStats({})).activeSubscriptions !== before.activeSubscriptions) {
      if (Date.now() > deadline) throw new Error("the store still holds the subscription");
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("rejects a malformed start with INVALID_ARGUMENT", async () => {
    const w = watch({ afterId: "not-a-uuid" });
    await expect(w.done).rejects.toThrow(/after_id must be a fact id/);
  });
});
