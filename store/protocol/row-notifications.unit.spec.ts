// Catch-up rows go from PostgreSQL's bytes into Facts notifications unread: the frames must be byte
// for byte what the text path (and the generic protobuf encoder) makes of the same facts, and split
// within the client's budget like every Facts notification.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MSG_NotificationSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { StoredFact } from "../facts/fact";
import type { EncodedMessage } from "../grpc/encoded";
import { FactRows } from "../storage/fact-rows";
import { factsBudget, toNotifications } from "./notifications";
import { MAX_CATCHUP_NOTIFICATION_BYTES } from "./row-notifications";

/** FactRows holding `facts` as PostgreSQL's DataRow messages would carry them. */
function rowsOf(facts: StoredFact[]): FactRows {
  const rows = new FactRows();
  for (const f of facts) {
    const fields = [String(f.ser), f.header, f.payload].map((t) => Buffer.from(t, "utf8"));
    const body = Buffer.alloc(2 + fields.reduce((n, b) => n + 4 + b.length, 0));
    let at = body.writeInt16BE(3, 0);
    for (const field of fields) {
      at = body.writeInt32BE(field.length, at);
      at += field.copy(body, at);
    }
    // Each row in a chunk of its own, behind bytes of other messages, as in a socket chunk.
    const chunk = Buffer.concat([Buffer.from("other bytes"), body]);
    expect(rows.addDataRow(chunk, 11, chunk.length)).toBe(true);
  }
  return rows;
}

const fact = (ser: number, payload: string): StoredFact => ({
  ser: BigInt(ser),
  header: `{"id":"00000000-0000-0000-0000-${String(ser).padStart(12, "0")}","ns":"n","meta":{"_ser":${ser}}}`,
  payload,
});

const bytes = (n: unknown) => Buffer.from((n as EncodedMessage).bytes);

describe("Facts notifications from catch-up rows", () => {
  it.each([
    ["ASCII", [fact(1, '{"a":1}'), fact(2, '{"b":"two"}')]],
    ["multi-byte UTF-8 and surrogate pairs", [fact(3, '{"name":"Zoë","emoji":"😀","cjk":"事実"}')]],
    ["an empty payload (left out, as proto3 does)", [fact(4, "")]],
    ["a 200 KB payload (3-byte length varints)", [fact(5, JSON.stringify({ blob: "x".repeat(200_000) }))]],
    ["a 17 MB payload (4-byte length varints)", [fact(6, JSON.stringify({ blob: "é".repeat(8_500_000) }))]],
  ])("are byte for byte the notifications of the same facts as text: %s", (_, facts) => {
    const fromRows = [...toNotifications({ kind: "rows", rows: rowsOf(facts) }, Number.MAX_SAFE_INTEGER)];
    const fromText = [...toNotifications({ kind: "facts", facts }, Number.MAX_SAFE_INTEGER)];
    expect(fromRows).toHaveLength(1);
    expect(bytes(fromRows[0]).equals(bytes(fromText[0]))).toBe(true);
    const decoded = fromBinary(MSG_NotificationSchema, bytes(fromRows[0]));
    expect(decoded.facts?.fact.map((f) => [f.header, f.payload])).toEqual(facts.map((f) => [f.header, f.payload]));
  });

  it("split within the client's budget, in order, losing none", () => {
    const facts = Array.from({ length: 50 }, (_, i) => fact(i + 1, JSON.stringify({ blob: "y".repeat(100_000) })));
    const budget = factsBudget(String(2 * 1024 * 1024)); // the smallest a client may ask for
    const notifications = [...toNotifications({ kind: "rows", rows: rowsOf(facts) }, budget)].map((n) =>
      fromBinary(MSG_NotificationSchema, bytes(n)),
    );
    expect(notifications.length).toBeGreaterThan(2);
    for (const n of notifications) expect(toBinary(MSG_NotificationSchema, n).length).toBeLessThanOrEqual(budget);
    expect(notifications.flatMap((n) => n.facts!.fact.map((f) => f.header))).toEqual(facts.map((f) => f.header));
  });

  it("hold at most MAX_CATCHUP_NOTIFICATION_BYTES whatever the client's budget allows", () => {
    const facts = Array.from({ length: 100 }, (_, i) => fact(i + 1, JSON.stringify({ blob: "y".repeat(100_000) })));
    const budget = factsBudget(String(32 * 1024 * 1024));
    const sizes = [...toNotifications({ kind: "rows", rows: rowsOf(facts) }, budget)].map((n) => bytes(n).length);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_CATCHUP_NOTIFICATION_BYTES + 1_000);
    expect(sizes.length).toBeGreaterThanOrEqual(10);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(100 * 100_000);
  });

  it("send a fact larger than the budget alone rather than dropping it", () => {
    const facts = [fact(1, "{}"), fact(2, JSON.stringify({ blob: "z".repeat(4_000_000) })), fact(3, "{}")];
    const notifications = [...toNotifications({ kind: "rows", rows: rowsOf(facts) }, factsBudget(null))].map((n) =>
      fromBinary(MSG_NotificationSchema, bytes(n)),
    );
    expect(notifications.map((n) => n.facts!.fact.length)).toEqual([1, 1, 1]);
  });
});
