// The unary RPCs tools, Factus and the console use: lookups by id/serial/version, enumerations,
// the database clock and the date → serial mapping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, expectFailure, toMsgUuid } from "../support/client.js";
import { fact, fetchById, idOf, latestSerial, publish, randomUUID, serialOf, uniqueName } from "../support/facts.js";
import { startStoreOnFreshDatabase, type StoreFixture } from "../support/store.js";
import type { MSG_Fact } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb.js";

const idAndVersion = (id: string, ver: number) => {
  const { msb, lsb } = toMsgUuid(id);
  return { msb, lsb, ver };
};
function utcDay(offsetDays: number) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
const MISSING_TRANSFORMATION = "org.factcast.core.subscription.MissingTransformationInformationException";

let fx: StoreFixture;
let emptyStore: { latestSerial: number; lastSerialBeforeToday: number; firstSerialAfterToday: number };
let ns: string;
let published: MSG_Fact[];

beforeAll(async () => {
  fx = await startStoreOnFreshDatabase("unary");
  // Before anything is published: the store is empty.
  const today = utcDay(0);
  emptyStore = {
    latestSerial: await latestSerial(fx.client),
    lastSerialBeforeToday: Number((await fx.client.lastSerialBefore(today)).serial),
    firstSerialAfterToday: Number((await fx.client.firstSerialAfter(today)).serial),
  };
  ns = uniqueName("unary");
  published = [
    fact({ ns, type: "Created", version: 1, payload: '{ "n" : 1 }' }),
    fact({ ns, type: "Created", version: 2, payload: { n: 2 } }),
    fact({ ns, type: "Renamed", version: 1, payload: { n: 3 } }),
  ];
  await publish(fx.client, published);
}, 90_000);
afterAll(async () => {
  await fx?.close();
}, 30_000);

describe("serials", () => {
  it("latestSerial is 0 on an empty store and the newest serial afterwards", async () => {
    expect(emptyStore.latestSerial).toBe(0);
    expect(await latestSerial(fx.client)).toBe(await serialOf(fx.client, idOf(published[2])));
  });

  it("serialOf answers present/serial for stored ids and present=false for unknown ones", async () => {
    const serials = await Promise.all(published.map((f) => serialOf(fx.client, idOf(f))));
    expect(serials.every((s) => typeof s === "number" && s > 0)).toBe(true);
    expect(await serialOf(fx.client, randomUUID())).toBeUndefined();
  });
});

describe("fetching", () => {
  it("fetchById returns the fact with _ser in its header; unknown ids are present=false", async () => {
    const f = await fetchById(fx.client, idOf(published[0]));
    expect(f).toMatchObject({ id: idOf(published[0]), ns, type: "Created", version: 1 });
    expect(f!.serial).toBe(await serialOf(fx.client, idOf(published[0])));
    expect(f!.payloadText).toBe('{ "n" : 1 }');

    const missing = await fx.client.fetchById(toMsgUuid(randomUUID()));
    expect(missing.present).toBe(false);
  });

  it("fetchBySerial returns the fact at that serial; unused serials are present=false", async () => {
    const serial = (await serialOf(fx.client, idOf(published[1])))!;
    const res = await fx.client.fetchBySerial({ serial: BigInt(serial) });
    expect(res.present).toBe(true);
    const header = JSON.parse(res.fact!.header);
    expect(header.id).toBe(idOf(published[1]));
    expect(header.meta._ser).toBe(serial);
    expect(res.fact!.payload).toBe(published[1].payload);

    expect((await fx.client.fetchBySerial({ serial: BigInt(serial + 1_000_000) })).present).toBe(false);
  });

  it("fetchByIdAndVersion returns the fact as published for version 0 or its own version", async () => {
    for (const ver of [0, 2]) {
      const res = await fx.client.fetchByIdAndVersion(idAndVersion(idOf(published[1]), ver));
      expect(res.present).toBe(true);
      expect(JSON.parse(res.fact!.header)).toMatchObject({ id: idOf(published[1]), version: 2 });
      expect(res.fact!.payload).toBe(published[1].payload);
    }
    const unknown = await fx.client.fetchByIdAndVersion(idAndVersion(randomUUID(), 0));
    expect(unknown.present).toBe(false);
  });

  it("fetchByIdAndVersion for another version fails with MissingTransformationInformationException", async () => {
    const err = await expectFailure(fx.client.fetchByIdAndVersion(idAndVersion(idOf(published[1]), 3)));
    expect(err.code).toBe(Code.Unknown);
    expect(err.exception).toBe(MISSING_TRANSFORMATION);
  });
});

describe("enumerations", () => {
  it("reflect the published namespaces, types and versions", async () => {
    const namespaces = (await fx.client.enumerateNamespaces({})).embeddedString;
    expect(namespaces).toContain(ns);
    expect(new Set(namespaces).size).toBe(namespaces.length);

    const types = (await fx.client.enumerateTypes({ embeddedString: ns })).embeddedString;
    expect(new Set(types)).toEqual(new Set(["Created", "Renamed"]));
    expect(types).toHaveLength(2);

    const versions = (await fx.client.enumerateVersions({ ns, type: "Created" })).embeddedInteger;
    expect(new Set(versions)).toEqual(new Set([1, 2]));
    expect(versions).toHaveLength(2);
    expect((await fx.client.enumerateVersions({ ns, type: "Renamed" })).embeddedInteger).toEqual([1]);
  });

  it("pick up facts published later and answer empty sets for unknown names", async () => {
    const ns2 = uniqueName("enum");
    expect((await fx.client.enumerateTypes({ embeddedString: ns2 })).embeddedString).toEqual([]);
    await publish(fx.client, [
      fact({ ns: ns2, type: "Late", version: 7 }),
      fact({ ns: ns2, type: "Late", version: 7 }),
    ]);
    expect((await fx.client.enumerateNamespaces({})).embeddedString).toEqual(expect.arrayContaining([ns, ns2]));
    expect((await fx.client.enumerateTypes({ embeddedString: ns2 })).embeddedString).toEqual(["Late"]);
    expect((await fx.client.enumerateVersions({ ns: ns2, type: "Late" })).embeddedInteger).toEqual([7]);
    expect((await fx.client.enumerateVersions({ ns: ns2, type: "Nope" })).embeddedInteger).toEqual([]);
  });
});

describe("time", () => {
  it("currentTime is the database clock in epoch milliseconds", async () => {
    const millis = Number((await fx.client.currentTime({})).millis);
    expect(Math.abs(millis - Date.now())).toBeLessThan(5_000);
  });
});

describe("date → serial (UTC calendar days)", () => {
  it("on an empty store: lastSerialBefore(today) = 0, firstSerialAfter(today) = 1", () => {
    expect(emptyStore.lastSerialBeforeToday).toBe(0);
    expect(emptyStore.firstSerialAfterToday).toBe(1);
  });

  it("lastSerialBefore / firstSerialAfter map days to serials", async () => {
    // every fact of this fresh database was published today (UTC), the first by beforeAll
    const first = (await serialOf(fx.client, idOf(published[0])))!;
    const latest = await latestSerial(fx.client);
    const serial = async (call: Promise<{ serial: bigint }>) => Number((await call).serial);

    expect(await serial(fx.client.lastSerialBefore(utcDay(0)))).toBe(first - 1);
    expect(await serial(fx.client.lastSerialBefore(utcDay(-3)))).toBe(first - 1);
    expect(await serial(fx.client.lastSerialBefore(utcDay(1)))).toBe(latest);
    expect(await serial(fx.client.firstSerialAfter(utcDay(0)))).toBe(first);
    expect(await serial(fx.client.firstSerialAfter(utcDay(-3)))).toBe(first);
    expect(await serial(fx.client.firstSerialAfter(utcDay(1)))).toBe(latest + 1);
  });

  it.each([
    { name: "month 13", date: { year: 2025, month: 13, day: 1 } },
    { name: "month 0", date: { year: 2025, month: 0, day: 1 } },
    { name: "February 30", date: { year: 2025, month: 2, day: 30 } },
  ])("rejects an invalid date ($name) with INVALID_ARGUMENT", async ({ date }) => {
    expect((await expectFailure(fx.client.lastSerialBefore(date))).code).toBe(Code.InvalidArgument);
    expect((await expectFailure(fx.client.firstSerialAfter(date))).code).toBe(Code.InvalidArgument);
  });
});
