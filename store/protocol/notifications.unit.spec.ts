import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  MSG_Notification_Type,
  MSG_NotificationSchema,
  type MSG_Notification,
} from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoredFact } from "../facts/fact";
import { EncodedMessage } from "../grpc/encoded";
import { factsBudget, toNotifications } from "./notifications";

const fact = (
  ser: number,
  payload: string,
  header = `{"id":"00000000-0000-0000-0000-${String(ser).padStart(12, "0")}","ns":"n"}`,
): StoredFact => ({
  ser: BigInt(ser),
  header,
  payload,
});

function wire(n: MSG_Notification | EncodedMessage): Uint8Array {
  return n instanceof EncodedMessage ? n.bytes : toBinary(MSG_NotificationSchema, n);
}

describe("Facts notifications (hand-encoded)", () => {
  const cases: Array<[string, StoredFact[]]> = [
    ["ASCII", [fact(1, '{"a":1}'), fact(2, '{"b":"two"}')]],
    ["multi-byte UTF-8 and surrogate pairs", [fact(3, '{"name":"Zoë","emoji":"😀","cjk":"事実"}')]],
    ["an empty payload string (left out, as proto3 does)", [fact(4, "")]],
    ["a 200 KB payload (3-byte length varints)", [fact(5, JSON.stringify({ blob: "x".repeat(200_000) }))]],
    ["a 17 MB payload (4-byte length varints)", [fact(6, JSON.stringify({ blob: "é".repeat(8_500_000) }))]],
  ];

  it.each(
    cases.flatMap(([name, facts]) => [
      [`${name}, catch-up`, facts, false] as const,
      [`${name}, live`, facts, true] as const,
    ]),
  )("encodes %s byte for byte as the generic encoder does", (_, facts, live) => {
    const [notification, ...rest] = [...toNotifications({ kind: "facts", facts, live }, Number.MAX_SAFE_INTEGER)];
    expect(rest).toHaveLength(0);
    const expected = toBinary(
      MSG_NotificationSchema,
      create(MSG_NotificationSchema, {
        type: MSG_Notification_Type.Facts,
        facts: { fact: facts.map(({ header, payload }) => ({ header, payload })) },
      }),
    );
    expect(Buffer.from(wire(notification)).equals(Buffer.from(expected))).toBe(true);
    const decoded = fromBinary(MSG_NotificationSchema, wire(notification));
    expect(decoded.facts?.fact.map((f) => f.payload)).toEqual(facts.map((f) => f.payload));
  });

  it("encodes a fact shared by many followers once and reuses the bytes", () => {
    const shared = [fact(7, '{"shared":true}')];
    const a = [
      ...toNotifications({ kind: "facts", facts: shared, live: true }, factsBudget(null)),
    ][0] as EncodedMessage;
    const b = [
      ...toNotifications({ kind: "facts", facts: [...shared, fact(8, "{}")], live: true }, factsBudget(null)),
    ][0] as EncodedMessage;
    expect(Buffer.from(b.bytes).includes(Buffer.from(a.bytes.subarray(a.bytes.length - 20)))).toBe(true);
  });

  it("frames a live batch once for every follower handed the same array, per budget", () => {
    const batch = [fact(9, '{"n":9}'), fact(10, '{"n":10}')];
    const live = (facts: StoredFact[], budget = factsBudget(null)) => [
      ...toNotifications({ kind: "facts", facts, live: true }, budget),
    ];
    const [first] = live(batch);
    expect(live(batch)[0]).toBe(first);
    // Another array with the same facts (a follower's own copy) gets equal bytes, not the same frame.
    const [copy] = live([...batch]);
    expect(copy).not.toBe(first);
    expect(Buffer.from((copy as EncodedMessage).frame).equals((first as EncodedMessage).frame)).toBe(true);
    // A follower with another fc-maxmsg is not handed a frame made for a different budget.
    const big = Array.from({ length: 30 }, (_, i) => fact(20 + i, JSON.stringify({ blob: "z".repeat(100_000) })));
    const small = live(big, factsBudget(String(2 * 1024 * 1024)));
    const large = live(big, factsBudget(String(32 * 1024 * 1024)));
    expect(small.length).toBeGreaterThan(1);
    expect(large).toHaveLength(1);
    expect(live(big, factsBudget(String(32 * 1024 * 1024)))[0]).toBe(large[0]);
    expect(live(big, factsBudget(String(2 * 1024 * 1024))).map((n) => wire(n).length)).toEqual(
      small.map((n) => wire(n).length),
    );
  });

  it("splits facts into notifications within the client's budget, in order, losing none", () => {
    const facts = Array.from({ length: 50 }, (_, i) => fact(i + 1, JSON.stringify({ blob: "y".repeat(100_000) })));
    const budget = factsBudget(String(2 * 1024 * 1024)); // the smallest a client may ask for
    const notifications = [...toNotifications({ kind: "facts", facts }, budget)].map((n) =>
      fromBinary(MSG_NotificationSchema, wire(n)),
    );
    expect(notifications.length).toBeGreaterThan(2);
    for (const n of notifications)
      expect(toBinary(MSG_NotificationSchema, n).length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(notifications.flatMap((n) => n.facts!.fact.map((f) => f.header))).toEqual(facts.map((f) => f.header));
  });
});
