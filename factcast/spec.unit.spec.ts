import { describe, expect, it } from "vitest";
import { MSG_Notification_Type } from "../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { notificationFacts } from "./notifications";
import { factSpec, factSpecsJson, subscriptionJson, subscriptionRequest } from "./spec";

describe("FactSpec JSON", () => {
  it("writes every field the Java client writes, nulls explicit", () => {
    expect(JSON.stringify(factSpec({ ns: "shop" }))).toBe(
      '{"ns":"shop","type":null,"version":0,"aggIds":[],"meta":{},"aggIdProperties":{},"metaKeyExists":{},"filterScript":null}',
    );
    expect(
      factSpec({ ns: "*", type: "OrderPlaced", version: 2, meta: { tenant: "acme" }, metaKeyExists: { x: false } }),
    ).toMatchObject({
      ns: "*",
      type: "OrderPlaced",
      version: 2,
      meta: { tenant: "acme" },
      metaKeyExists: { x: false },
    });
  });

  it("sends state-token specs as one JSON array", () => {
    expect(JSON.parse(factSpecsJson([{ ns: "a" }, { ns: "b", type: "T" }]).json)).toEqual([
      factSpec({ ns: "a" }),
      factSpec({ ns: "b", type: "T" }),
    ]);
  });
});

describe("subscription requests", () => {
  it("are SubscriptionRequestTO's fields in the Java client's order, with its defaults", () => {
    const json = subscriptionJson({ specs: [{ ns: "shop" }], debugInfo: "test", pid: "1@host" });
    expect(Object.keys(JSON.parse(json))).toEqual([
      "keepaliveIntervalInMs",
      "streamInfo",
      "continuous",
      "ephemeral",
      "startingAfter",
      "debugInfo",
      "pid",
      "specs",
    ]);
    expect(JSON.parse(json)).toEqual({
      keepaliveIntervalInMs: 0,
      streamInfo: false,
      continuous: false,
      ephemeral: false,
      startingAfter: null,
      debugInfo: "test",
      pid: "1@host",
      specs: [factSpec({ ns: "shop" })],
    });
  });

  it("carry where to start and whether to follow", () => {
    const id = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
    const req = subscriptionRequest({ specs: [{ ns: "*" }], continuous: true, startingAfter: id, debugInfo: "x" });
    expect(JSON.parse(req.json)).toMatchObject({ continuous: true, startingAfter: id, pid: `${process.pid}@x` });
  });
});

describe("notificationFacts", () => {
  const fact = (n: number) => ({
    $typeName: "org.factcast.grpc.api.gen.MSG_Fact" as const,
    header: `{"n":${n}}`,
    payload: "{}",
  });

  it("takes facts out of Facts batches and single Fact notifications", () => {
    expect(
      notificationFacts({
        type: MSG_Notification_Type.Facts,
        facts: { $typeName: "org.factcast.grpc.api.gen.MSG_Facts", fact: [fact(1), fact(2)] },
      }),
    ).toEqual([fact(1), fact(2)]);
    expect(notificationFacts({ type: MSG_Notification_Type.Fact, fact: fact(3) })).toEqual([fact(3)]);
  });

  it("finds none in the others, nor in a Fact notification without its fact", () => {
    for (const type of [
      MSG_Notification_Type.Catchup,
      MSG_Notification_Type.Complete,
      MSG_Notification_Type.Info,
      MSG_Notification_Type.KeepAlive,
      MSG_Notification_Type.Ffwd,
    ])
      expect(notificationFacts({ type, fact: fact(1) })).toEqual([]);
    expect(notificationFacts({ type: MSG_Notification_Type.Fact })).toEqual([]);
    expect(notificationFacts({ type: MSG_Notification_Type.Facts })).toEqual([]);
  });
});
