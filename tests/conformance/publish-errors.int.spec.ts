// Rejected publishes: a FactCast client must get an error it will not blindly retry
// (DuplicateFactException trailers, or INVALID_ARGUMENT naming what to fix) and the store must
// write nothing of the rejected batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, errorDetails, expectFailure } from "../support/client.js";
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
} from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import type { MSG_Fact } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";

const DUPLICATE = "org.factcast.core.DuplicateFactException";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await startStoreOnFreshDatabase();
  // a stored fact so "latestSerial unchanged" is not trivially 0
  await publish(fx.client, [fact({ ns: "seed", type: "Seed" })]);
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

async function expectNothingWritten(before: number, ids: string[], namespaces: string[] = []) {
  expect(await latestSerial(fx.client)).toBe(before);
  const known = (await fx.client.enumerateNamespaces({})).embeddedString;
  for (const ns of namespaces) expect(known, `namespace ${ns} of a rejected publish`).not.toContain(ns);
  for (const id of ids) {
    expect(await fetchById(fx.client, id), `fact ${id} must not be stored`).toBeUndefined();
    expect(await serialOf(fx.client, id)).toBeUndefined();
  }
}

describe("duplicate ids", () => {
  it("rejects a batch containing an already stored id with DuplicateFactException, writing nothing", async () => {
    const ns = uniqueName("dup");
    const existing = fact({ ns, type: "T" });
    await publish(fx.client, [existing]);
    const before = await latestSerial(fx.client);

    const fresh1 = fact({ ns, type: "T" });
    const fresh2 = fact({ ns, type: "T" });
    const again = fact({ ns, type: "T", id: idOf(existing), payload: { other: true } });
    const err = await expectFailure(publish(fx.client, [fresh1, again, fresh2]));

    expect(err.code).toBe(Code.Unknown);
    expect(err.exception).toBe(DUPLICATE);
    expect(err.exceptionMessage).toContain(idOf(existing));
    await expectNothingWritten(before, [idOf(fresh1), idOf(fresh2)]);
    // the original is untouched
    expect((await fetchById(fx.client, idOf(existing)))?.payloadText).toBe(existing.payload);
  });

  it("rejects a batch that repeats an id within itself, writing nothing", async () => {
    const ns = uniqueName("dup-in-batch");
    const id = randomUUID();
    const other = fact({ ns, type: "T" });
    const before = await latestSerial(fx.client);

    const err = await expectFailure(
      publish(fx.client, [fact({ ns, type: "T", id }), other, fact({ ns, type: "T", id })]),
    );

    expect(err.code).toBe(Code.Unknown);
    expect(err.exception).toBe(DUPLICATE);
    expect(err.exceptionMessage).toContain(id);
    await expectNothingWritten(before, [id, idOf(other)], [ns]);
  });

  it("rejects a 6,000-fact batch whose last fact is a duplicate, writing none of it", async () => {
    const ns = uniqueName("dup-large");
    const existing = fact({ ns: uniqueName("dup-large-existing"), type: "T" });
    await publish(fx.client, [existing]);
    const before = await latestSerial(fx.client);
    const batch = Array.from({ length: 5_999 }, (_, i) => fact({ ns, type: "Bulk", payload: { i } }));
    batch.push(fact({ ns, type: "Bulk", id: idOf(existing) }));

    const err = await expectFailure(publish(fx.client, batch));

    expect(err.code).toBe(Code.Unknown);
    expect(err.exception).toBe(DUPLICATE);
    await expectNothingWritten(before, [idOf(batch[0]), idOf(batch[2_999]), idOf(batch[5_998])], [ns]);
  });
});

describe("re-publishing stored facts (a retry whose first answer was lost)", () => {
  it("an identical batch succeeds again and stores nothing new", async () => {
    const ns = uniqueName("republish");
    const batch = [fact({ ns, type: "T", payload: { a: 1 } }), fact({ ns, type: "T", payload: " [1, 2] " })];
    await publish(fx.client, batch);
    const serials = await Promise.all(batch.map((f) => serialOf(fx.client, idOf(f))));
    const before = await latestSerial(fx.client);

    await publish(fx.client, batch);

    expect(await latestSerial(fx.client)).toBe(before);
    expect(await Promise.all(batch.map((f) => serialOf(fx.client, idOf(f))))).toEqual(serials);
  });

  it("the header may differ in key order and in meta._ser/_ts, which the store sets itself", async () => {
    const ns = uniqueName("republish-order");
    const id = randomUUID();
    await publish(fx.client, [rawFact(JSON.stringify({ id, ns, type: "T", meta: { k: "v" } }), "{}")]);
    const before = await latestSerial(fx.client);
    const reordered = rawFact(JSON.stringify({ meta: { _ser: 1, k: "v", _ts: 2 }, type: "T", ns, id }), "{}");
    await publish(fx.client, [reordered]);
    expect(await latestSerial(fx.client)).toBe(before);
  });

  it("is a duplicate when the payload differs by one byte, or the publisher (fc-id) differs", async () => {
    const ns = uniqueName("republish-differs");
    const original = fact({ ns, type: "T", payload: '{"a":1}' });
    await publish(fx.client, [original]);
    const spaced = fact({ ns, type: "T", id: idOf(original), payload: '{"a": 1}' });
    expect((await expectFailure(publish(fx.client, [spaced]))).exception).toBe(DUPLICATE);
    const other = await expectFailure(publish(fx.client, [original], { "fc-id": "another-publisher" }));
    expect(other.exception).toBe(DUPLICATE);
  });

  it("is a duplicate when only part of the batch is stored, and writes none of it", async () => {
    const ns = uniqueName("republish-part");
    const stored = fact({ ns, type: "T" });
    await publish(fx.client, [stored]);
    const before = await latestSerial(fx.client);
    const fresh = fact({ ns, type: "T" });
    const err = await expectFailure(publish(fx.client, [stored, fresh]));
    expect(err.exception).toBe(DUPLICATE);
    await expectNothingWritten(before, [idOf(fresh)]);
  });
});

describe("concurrent publishes", () => {
  it("a rejected publish does not take publishes running at the same time down with it", async () => {
    const ns = uniqueName("concurrent");
    const existing = fact({ ns, type: "T" });
    await publish(fx.client, [existing]);
    const good = Array.from({ length: 12 }, () => [fact({ ns, type: "Good" }), fact({ ns, type: "Good" })]);
    const duplicate = [fact({ ns, type: "Dup" }), fact({ ns, type: "Dup", id: idOf(existing) })];
    // valid JSON, but PostgreSQL's jsonb refuses an unpaired surrogate: fails inside the database
    const unstorable = [
      fact({ ns, type: "Bad" }),
      rawFact(`{"id":"${randomUUID()}","ns":"${ns}","type":"\\ud800"}`, "{}"),
    ];

    const calls = [...good.slice(0, 6), duplicate, ...good.slice(6), unstorable].map((batch) =>
      publish(fx.client, batch).then(
        () => "ok",
        (e: unknown) => errorDetails(e).exception ?? Code[errorDetails(e).code],
      ),
    );
    const results = await Promise.all(calls);

    expect(results).toEqual([...Array(6).fill("ok"), DUPLICATE, ...Array(6).fill("ok"), "InvalidArgument"]);
    for (const batch of good) for (const f of batch) expect(await serialOf(fx.client, idOf(f))).toBeGreaterThan(0);
    for (const f of [duplicate[0], unstorable[0]]) expect(await fetchById(fx.client, idOf(f))).toBeUndefined();
  });

  it("the same fact published concurrently through one instance is stored once and every publish succeeds", async () => {
    const f = fact({ ns: uniqueName("same-fact"), type: "T" });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        publish(fx.client, [f]).then(
          () => "ok",
          (e: unknown) => errorDetails(e).exception ?? Code[errorDetails(e).code],
        ),
      ),
    );
    expect(results).toEqual(Array(6).fill("ok"));
    expect(await serialOf(fx.client, idOf(f))).toBeGreaterThan(0);
  });

  it("different facts with one id published concurrently: one is stored, the others get DuplicateFactException", async () => {
    const id = randomUUID();
    const ns = uniqueName("same-id");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        publish(fx.client, [fact({ id, ns, type: "T", payload: { i } })]).then(
          () => "ok",
          (e: unknown) => errorDetails(e).exception ?? Code[errorDetails(e).code],
        ),
      ),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === DUPLICATE)).toHaveLength(5);
  });
});

// Each row is the fact at index 3 of a five-fact batch whose other facts are valid. (Index 3 and
// no 3s or 4s in the row values, so the index check below cannot match by accident.)
const header = (h: Record<string, unknown>) => JSON.stringify({ id: randomUUID(), ns: "bad-input", type: "T", ...h });
const withoutKey = (key: string) => {
  const h: Record<string, unknown> = { id: randomUUID(), ns: "bad-input", type: "T" };
  delete h[key];
  return JSON.stringify(h);
};
const UUID = "6f1a8a4e-6a0e-4a9e-9d5c-3f1b2c3d4e5f";

const badInputs: Array<{ name: string; field: string; fact: () => MSG_Fact }> = [
  { name: "id missing", field: "id", fact: () => rawFact(withoutKey("id"), "{}") },
  { name: "id not a UUID", field: "id", fact: () => rawFact(header({ id: "not-a-uuid" }), "{}") },
  { name: "id a number", field: "id", fact: () => rawFact(header({ id: 12 }), "{}") },
  { name: "ns missing", field: "ns", fact: () => rawFact(withoutKey("ns"), "{}") },
  { name: "ns blank", field: "ns", fact: () => rawFact(header({ ns: "   " }), "{}") },
  { name: "ns empty", field: "ns", fact: () => rawFact(header({ ns: "" }), "{}") },
  { name: "ns not a string", field: "ns", fact: () => rawFact(header({ ns: 7 }), "{}") },
  { name: "header a JSON array", field: "header", fact: () => rawFact(`[${header({})}]`, "{}") },
  { name: "header a JSON string", field: "header", fact: () => rawFact('"header"', "{}") },
  { name: "header not JSON", field: "header", fact: () => rawFact('{"id": oops', "{}") },
  { name: "header empty", field: "header", fact: () => rawFact("", "{}") },
  {
    name: "header with a \\u0000 escape",
    field: "header",
    fact: () => rawFact(header({ meta: { k: "a\u0000b" } }), "{}"),
  },
  {
    name: "header with an unpaired surrogate escape",
    field: "header",
    fact: () => rawFact(header({}).replace('"T"', '"\\ud800"'), "{}"),
  },
  { name: "payload not JSON", field: "payload", fact: () => rawFact(header({}), '{"a":') },
  { name: "payload trailing garbage", field: "payload", fact: () => rawFact(header({}), '{"a":1} x') },
  { name: "payload two values", field: "payload", fact: () => rawFact(header({}), "[1],[2]") },
  { name: "payload blank", field: "payload", fact: () => rawFact(header({}), " \n ") },
  {
    name: "payload with a raw record separator (U+001E)",
    field: "payload",
    fact: () => rawFact(header({}), '{"a":"x\u001ey"}'),
  },
  { name: "payload with a raw NUL character", field: "payload", fact: () => rawFact(header({}), '{"a":"x\u0000y"}') },
  { name: "payload with a raw tab in a string", field: "payload", fact: () => rawFact(header({}), '{"a":"x\ty"}') },
  { name: "payload with a \\u0000 escape", field: "payload", fact: () => rawFact(header({}), '{"a":"x\\u0000y"}') },
  {
    name: "payload with an unpaired surrogate escape",
    field: "payload",
    fact: () => rawFact(header({}), '{"a":"\\udc00"}'),
  },
  { name: "meta a string", field: "meta", fact: () => rawFact(header({ meta: "x" }), "{}") },
  { name: "meta an array", field: "meta", fact: () => rawFact(header({ meta: ["x"] }), "{}") },
  { name: "meta value a number", field: "meta", fact: () => rawFact(header({ meta: { k: 1 } }), "{}") },
  { name: "meta value null", field: "meta", fact: () => rawFact(header({ meta: { k: null } }), "{}") },
  { name: "meta value an object", field: "meta", fact: () => rawFact(header({ meta: { k: { a: "b" } } }), "{}") },
  { name: "meta array with a non-string", field: "meta", fact: () => rawFact(header({ meta: { k: ["a", 2] } }), "{}") },
  { name: "aggIds not an array", field: "aggIds", fact: () => rawFact(header({ aggIds: UUID }), "{}") },
  { name: "aggIds with a non-UUID", field: "aggIds", fact: () => rawFact(header({ aggIds: [UUID, "nope"] }), "{}") },
  { name: "aggIds with a number", field: "aggIds", fact: () => rawFact(header({ aggIds: [1] }), "{}") },
  { name: "version negative", field: "version", fact: () => rawFact(header({ version: -1 }), "{}") },
  { name: "version fractional", field: "version", fact: () => rawFact(header({ version: 1.5 }), "{}") },
  { name: "version a string", field: "version", fact: () => rawFact(header({ version: "1" }), "{}") },
];

describe("bad input is rejected with INVALID_ARGUMENT and nothing is written", () => {
  it.each(badInputs)("$name", async ({ field, fact: bad }) => {
    const ns = uniqueName("bad");
    const valid = [0, 1, 2, 3].map(() => fact({ ns, type: "Valid" }));
    const before = await latestSerial(fx.client);

    const err = await expectFailure(publish(fx.client, [...valid.slice(0, 3), bad(), valid[3]]));

    expect(err.code, err.message).toBe(Code.InvalidArgument);
    const fieldPattern = field === "ns" ? "ns|namespace" : field;
    expect(err.message, err.message).toMatch(new RegExp(`\\b(${fieldPattern})\\b`, "i"));
    // the offending fact's position, 0- or 1-based
    expect(err.message, err.message).toMatch(/\b[34]\b/);
    await expectNothingWritten(before, valid.map(idOf), [ns, "bad-input"]);
  });

  it("accepts the same batch once the bad fact is fixed", async () => {
    const ns = uniqueName("fixed");
    const batch = [fact({ ns, type: "Valid" }), fact({ ns, type: "Valid", meta: { k: ["a", "b"] }, version: 2 })];
    await publish(fx.client, batch);
    expect(await serialOf(fx.client, idOf(batch[1]))).toBeGreaterThan(0);
  });
});
