// publish: what a FactCast client observes about the facts it wrote — order, server-assigned
// meta, the fc-id source stamp, and headers/payloads coming back as sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUp } from "../support/client.js";
import {
  fact,
  fetchById,
  idOf,
  latestSerial,
  publish,
  rawFact,
  randomUUID,
  serialOf,
  uniqueName,
  type StoredFact,
} from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase();
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

async function fetchAll(ids: string[]): Promise<StoredFact[]> {
  const found = await Promise.all(ids.map((id) => fetchById(fx.client, id)));
  found.forEach((f, i) => expect(f, `fact ${ids[i]} must be stored`).toBeDefined());
  return found as StoredFact[];
}

describe("publish", () => {
  it("stores a batch in list order and stamps each header with _ser and a shared _ts", async () => {
    const ns = uniqueName("order");
    const batch = Array.from({ length: 5 }, (_, i) => fact({ ns, type: "Numbered", payload: { i } }));
    const before = Date.now();
    await publish(fx.client, batch);
    const after = Date.now();

    const stored = await fetchAll(batch.map(idOf));
    const serials = await Promise.all(batch.map((f) => serialOf(fx.client, idOf(f))));
    for (let i = 1; i < serials.length; i++) expect(serials[i]!).toBeGreaterThan(serials[i - 1]!);
    stored.forEach((f, i) => {
      expect(f.meta._ser).toBe(serials[i]);
      expect(typeof f.meta._ts).toBe("number");
    });
    expect(new Set(stored.map((f) => f.meta._ts)).size).toBe(1);
    const ts = stored[0].meta._ts as number;
    // DB clock and test clock are the same machine; allow for clock granularity and slow CI.
    expect(ts).toBeGreaterThanOrEqual(before - 2_000);
    expect(ts).toBeLessThanOrEqual(after + 2_000);
    expect(await latestSerial(fx.client)).toBe(serials[serials.length - 1]);
  });

  it("overwrites _ser and _ts a client tried to set", async () => {
    const ns = uniqueName("forged");
    const f = fact({ ns, type: "Forged", meta: { _ser: "1", _ts: "42", kept: "yes" } });
    await publish(fx.client, [f]);

    const [stored] = await fetchAll([idOf(f)]);
    expect(stored.meta._ser).toBe(await serialOf(fx.client, idOf(f)));
    expect(stored.meta._ts).not.toBe("42");
    expect(typeof stored.meta._ts).toBe("number");
    expect(Math.abs((stored.meta._ts as number) - Date.now())).toBeLessThan(60_000);
    expect(stored.meta.kept).toBe("yes");
  });

  it("stamps fc-id as meta.source on every fact of the call and keeps custom header attributes", async () => {
    const ns = uniqueName("source");
    const batch = [
      fact({ ns, type: "A", meta: { source: "spoofed", other: "x" }, extra: { custom: { x: 1 } } }),
      fact({ ns, type: "B", extra: { custom: { x: 2 }, note: "kept" } }),
    ];
    await publish(fx.client, batch, { "fc-id": "my-app" });

    const stored = await fetchAll(batch.map(idOf));
    expect(stored.map((f) => f.meta.source)).toEqual(["my-app", "my-app"]);
    expect(stored[0].meta.other).toBe("x");
    expect(stored[0].header.custom).toEqual({ x: 1 });
    expect(stored[1].header.custom).toEqual({ x: 2 });
    expect(stored[1].header.note).toBe("kept");
  });

  it("leaves meta.source alone when the client sends no fc-id", async () => {
    const ns = uniqueName("nosource");
    const withSource = fact({ ns, type: "A", meta: { source: "set-by-client" } });
    const without = fact({ ns, type: "A" });
    await publish(fx.client, [withSource, without]);

    const [a, b] = await fetchAll([idOf(withSource), idOf(without)]);
    expect(a.meta.source).toBe("set-by-client");
    expect(b.meta.source).toBeUndefined();
  });

  it("returns header fields as published: ns, type, version, aggIds, string and multi-valued meta", async () => {
    const ns = uniqueName("header");
    const aggIds = [randomUUID(), randomUUID()];
    const f = fact({ ns, type: "Typed", version: 3, aggIds, meta: { single: "v", multi: ["a", "b"] } });
    await publish(fx.client, [f]);

    const [stored] = await fetchAll([idOf(f)]);
    expect(stored).toMatchObject({ id: idOf(f), ns, type: "Typed", version: 3, aggIds });
    expect(stored.meta).toMatchObject({ single: "v", multi: ["a", "b"] });
  });

  it("returns the payload text byte-identical: whitespace, key order, number spelling, escapes", async () => {
    const ns = uniqueName("verbatim");
    const payloads = [
      '{ "z" : 1,\n\t"a":[ 1.50, 1e3, -0, "\\u00fc ü 😀" ],\r\n  "n":null ,"b":true }',
      '{"b":2,"a":1,"b2":{"y":[],"x":{}}}',
      "[1, 2,3]",
      '"just a string"',
      "  42  ",
    ];
    const batch = payloads.map((payload) => rawFact(JSON.stringify({ id: randomUUID(), ns, type: "Raw" }), payload));
    await publish(fx.client, batch);

    const fetched = await fetchAll(batch.map(idOf));
    expect(fetched.map((f) => f.payloadText)).toEqual(payloads);

    const serial = await serialOf(fx.client, idOf(batch[0]));
    const bySerial = await fx.client.fetchBySerial({ serial: BigInt(serial!) });
    expect(bySerial.fact?.payload).toBe(payloads[0]);

    const sub = await catchUp(fx.client, { specs: [{ ns }] });
    expect(sub.end.error, sub.end.error?.message).toBeUndefined();
    expect(sub.facts().map((f) => f.payloadText)).toEqual(payloads);
  });

  it("stores header strings with backslashes, quotes and escapes as text (a literal \\u0000 is not a NUL)", async () => {
    const ns = uniqueName("escapes");
    const meta = { path: "C:\\u0000\\new", quote: 'say "hi"', tab: "a\tb", unicode: "ü😀\u2028" };
    const f = fact({ ns, type: "Escaped", meta });
    await publish(fx.client, [f]);

    const [stored] = await fetchAll([idOf(f)]);
    expect(stored.meta).toMatchObject(meta);
  });

  it("accepts a minimal header (id and ns only) and completes it with meta", async () => {
    const ns = uniqueName("minimal");
    const id = randomUUID();
    await publish(fx.client, [rawFact(JSON.stringify({ id, ns }), "{}")], { "fc-id": "minimal-app" });

    const [stored] = await fetchAll([id]);
    expect(stored).toMatchObject({ id, ns });
    expect(stored.meta).toMatchObject({ source: "minimal-app", _ser: await serialOf(fx.client, id) });
    expect(typeof stored.meta._ts).toBe("number");
  });

  it("accepts an empty batch as a no-op", async () => {
    const before = await latestSerial(fx.client);
    await publish(fx.client, []);
    expect(await latestSerial(fx.client)).toBe(before);
  });

  it("gives later calls higher serials than earlier ones", async () => {
    const ns = uniqueName("calls");
    const first = fact({ ns, type: "T" });
    const second = fact({ ns, type: "T" });
    await publish(fx.client, [first]);
    await publish(fx.client, [second]);
    expect(await serialOf(fx.client, idOf(second))).toBeGreaterThan((await serialOf(fx.client, idOf(first)))!);
  });
});
