import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { GetFactRequestSchema } from "../../../gen/factline/console/v1/console_pb";
import { AGGREGATE_HISTORY_LIMIT, getFact } from "./facts";
import { consoleFor } from "../testing/console";
import { FakeStore } from "../testing/fake-store";

const AGG = "bbbbbbbb-0000-4000-8000-000000000001";
const OTHER = "bbbbbbbb-0000-4000-8000-000000000002";

/** users/UserCreated at 1, 3, 5 (gap at 4 from the orders fact), an aggregate across namespaces. */
function store(admin: boolean): FakeStore {
  const s = new FakeStore({ admin });
  s.publish({ ns: "users", type: "UserCreated", aggIds: [AGG], payload: { name: "Ada" } }); // 1
  s.publish({ ns: "orders", type: "OrderPlaced", aggIds: [AGG, OTHER] }); // 2
  s.publish({ ns: "users", type: "UserCreated", aggIds: [OTHER] }); // 3
  s.gap(1); // 4 rolled back
  s.publish({ ns: "users", type: "UserRenamed", aggIds: [AGG] }); // 5
  s.publish({ ns: "users", type: "UserCreated" }); // 6
  return s;
}

describe("GetFact", () => {
  it("returns the whole fact by serial or by id", async () => {
    const s = store(true);
    const { client } = consoleFor(s);
    const bySerial = await client.getFact({ key: { case: "serial", value: 1n } });
    expect(bySerial.fact).toMatchObject({
      serial: 1n,
      ns: "users",
      type: "UserCreated",
      payloadJson: '{"name":"Ada"}',
      payloadTruncated: false,
    });
    const byId = await client.getFact({ key: { case: "id", value: s.facts[0].id.toUpperCase() } });
    expect(byId.fact?.serial).toBe(1n);
  });

  it("returns a big payload whole", async () => {
    const s = new FakeStore();
    s.publish({ ns: "big", payload: { blob: "x".repeat(200_000) } });
    const res = await consoleFor(s).client.getFact({ key: { case: "serial", value: 1n } });
    expect(res.fact?.payloadJson.length).toBeGreaterThan(200_000);
    expect(res.fact?.payloadTruncated).toBe(false);
  });

  it("says NOT_FOUND, and why, for an unknown serial or id", async () => {
    const { client } = consoleFor(store(true));
    await expect(client.getFact({ key: { case: "serial", value: 99n } })).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: "no fact with serial 99: the newest fact has serial 6",
    });
    await expect(client.getFact({ key: { case: "serial", value: 4n } })).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: expect.stringContaining("serials have gaps"),
    });
    await expect(client.getFact({ key: { case: "id", value: OTHER } })).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: `no fact with id ${OTHER}`,
    });
  });

  it("rejects a malformed key", async () => {
    const { client } = consoleFor(store(true));
    await expect(client.getFact({ key: { case: "id", value: "12" } })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("UUID"),
    });
    await expect(client.getFact({ key: { case: "serial", value: 0n } })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
    await expect(client.getFact({})).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("finds the neighbours in the same namespace and type, and the aggregates' history newest first (admin)", async () => {
    const res = await consoleFor(store(true)).client.getFact({ key: { case: "serial", value: 3n } });
    expect([res.previousSerial, res.nextSerial]).toEqual([1n, 6n]);
    // Facts sharing AGG or OTHER with serial 3 (only OTHER): 2 and 3.
    expect(res.aggregateHistory.map((f) => f.serial)).toEqual([3n, 2n]);
    expect(res.aggregateHistoryTruncated).toBe(false);
    const first = await consoleFor(store(true)).client.getFact({ key: { case: "serial", value: 2n } });
    expect(first.aggregateHistory.map((f) => f.serial)).toEqual([5n, 3n, 2n, 1n]);
    expect([first.previousSerial, first.nextSerial]).toEqual([0n, 0n]);
  });

  it("without admin services: next by catch-up, no previous, the same history", async () => {
    const res = await consoleFor(store(false)).client.getFact({ key: { case: "serial", value: 3n } });
    expect([res.previousSerial, res.nextSerial]).toEqual([0n, 6n]);
    expect(res.aggregateHistory.map((f) => f.serial)).toEqual([3n, 2n]);
    const first = await consoleFor(store(false)).client.getFact({ key: { case: "serial", value: 2n } });
    expect(first.aggregateHistory.map((f) => f.serial)).toEqual([5n, 3n, 2n, 1n]);
  });

  it("keeps the newest 100 of a long aggregate history, marked truncated, with either strategy", async () => {
    for (const admin of [true, false]) {
      const s = new FakeStore({ admin, batchSize: 7 });
      for (let i = 0; i < 250; i++)
        s.publish({ ns: "acc", type: "Booked", aggIds: [AGG], payload: { i, pad: "p".repeat(2000) } });
      const res = await consoleFor(s).client.getFact({ key: { case: "serial", value: 10n } });
      expect(res.aggregateHistory).toHaveLength(AGGREGATE_HISTORY_LIMIT);
      expect(res.aggregateHistory[0].serial).toBe(250n);
      expect(res.aggregateHistory.at(-1)?.serial).toBe(151n);
      expect(res.aggregateHistory[0].payloadTruncated).toBe(true);
      expect(res.aggregateHistoryTruncated).toBe(true);
    }
  });

  it("without admin services, stops its scans when the caller gives up", async () => {
    const s = new FakeStore({ admin: false, batchSize: 7 });
    for (let i = 0; i < 250; i++) s.publish({ ns: "acc", type: "Booked", aggIds: [AGG] });
    const upstream = consoleFor(s).upstream;
    await expect(
      getFact(upstream, create(GetFactRequestSchema, { key: { case: "serial", value: 10n } }), AbortSignal.abort()),
    ).rejects.toBeDefined();
    expect(s.delivered).toBe(0);
  });
});
