// Connecting like a stock FactCast client: the handshake it sends first, gzip-compressed requests
// after it negotiated `gzip`, and the process lifecycle operators depend on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUp, createFactStoreClient, MSG_Notification_Type, sequenceOf, subscribe } from "../support/client.js";
import { fact, fetchById, idOf, publish, uniqueName } from "../support/facts.js";
import { startStore, startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

const CAPABILITY = "org.factcast.grpc.api.Capabilities";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase();
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

describe("handshake", () => {
  it("reports protocol 1.8.0 and the capabilities a Java client reads", async () => {
    const config = await fx.client.handshake({}, { headers: { "fc-id": "conformance", "fc-version": "0.12.1" } });

    expect({ major: config.version?.major, minor: config.version?.minor, patch: config.version?.patch }).toEqual({
      major: 1,
      minor: 8,
      patch: 0,
    });
    const props = config.properties?.property ?? {};
    expect(props[`${CAPABILITY}.CODECS`]).toBe("gzip");
    expect(props[`${CAPABILITY}.FAST_STATE_TOKEN`]).toBe("true");
    expect(props[`${CAPABILITY}.FACTCAST_IMPL_VERSION`]?.trim()).toBeTruthy();
  });

  it("accepts the Basic credentials a configured Java client sends on every call", async () => {
    const authorization = `Basic ${Buffer.from("user:secret").toString("base64")}`;
    const config = await fx.client.handshake({}, { headers: { authorization } });
    expect(config.version?.major).toBe(1);
    expect(await fx.client.latestSerial({}, { headers: { authorization } })).toBeDefined();
  });
});

describe("gzip-compressed requests", () => {
  it("publishes and subscribes through a client that compresses every request", async () => {
    const gzipClient = createFactStoreClient(fx.store.url, { gzip: true });
    const headers = { "fc-msgcomp": "gzip" };
    const ns = uniqueName("gzip");
    const facts = [0, 1, 2].map((i) => fact({ ns, type: "Compressed", payload: { i, text: "x".repeat(2000) } }));

    await gzipClient.handshake({});
    await publish(gzipClient, facts, headers);

    const sub = await catchUp(gzipClient, { specs: [{ ns }] }, { headers });
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.facts().map((f) => f.id)).toEqual(facts.map(idOf));
    expect(sub.facts().map((f) => JSON.parse(f.payloadText).i)).toEqual([0, 1, 2]);
    expect(sequenceOf(sub)).toEqual(["Info", "Facts", "Catchup", "Complete"]);
    // and an uncompressed client sees the same facts
    expect((await fetchById(fx.client, idOf(facts[2])))?.payloadText).toBe(facts[2].payload);
  });
});

describe("process lifecycle", () => {
  it("a second instance starts on an already migrated database and exits 0 on SIGTERM", async () => {
    const second = await startStore({ databaseUrl: fx.databaseUrl });
    try {
      const client = createFactStoreClient(second.url);
      const ns = uniqueName("second");
      const f = fact({ ns, type: "T" });
      await publish(client, [f]);
      expect((await fetchById(fx.client, idOf(f)))?.id).toBe(idOf(f));

      // an open follow subscription must not keep the process alive
      const sub = subscribe(client, { specs: [{ ns }], continuous: true });
      await sub.waitForType(MSG_Notification_Type.Catchup);

      const started = Date.now();
      const exit = await second.stop();
      expect(exit, second.output()).toEqual({ code: 0, signal: null, forced: false });
      expect(Date.now() - started).toBeLessThan(10_000);
      sub.cancel();
    } finally {
      second.kill();
    }
  }, 90_000);
});
