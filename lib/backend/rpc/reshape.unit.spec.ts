import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { QueriedFactSchema } from "../../../gen/factline/admin/v1/admin_pb";
import { cutPayload, reshapeQueriedFact, reshapeWireFact } from "./reshape";

const ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const AGG = "7b0e1b3c-2c43-4a8e-9d61-9f1f3a4c5d6e";
// Written by hand, in an order and spacing a serializer would not produce, to prove it passes verbatim.
const HEADER =
  `{"ns":"users","id":"${ID}", "type":"UserCreated","version":2,"aggIds":["${AGG}"],` +
  `"meta":{"_ser":42,"_ts":1736942400123,"source":"crm","tags":["a","b"],"n":7,"gone":null},"extra":{"x":1}}`;

describe("reshapeWireFact", () => {
  it("types the header's fields and keeps both texts exactly as stored", () => {
    const payload = `{ "name" : "Ada",  "n": 1.50 }`;
    const fact = reshapeWireFact({ header: HEADER, payload });
    expect(fact).toMatchObject({
      serial: 42n,
      id: ID,
      ns: "users",
      type: "UserCreated",
      version: 2,
      aggIds: [AGG],
      publishedMs: 1736942400123n,
      headerJson: HEADER,
      payloadJson: payload,
      payloadTruncated: false,
      payloadBytes: BigInt(payload.length),
    });
  });

  it("gives meta as lists, without the store's _ser and _ts", () => {
    const meta = reshapeWireFact({ header: HEADER, payload: "{}" }).meta;
    expect(Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, v.values]))).toEqual({
      source: ["crm"],
      tags: ["a", "b"],
      n: ["7"],
      gone: [],
    });
  });

  it("reads a fact without type, version or aggIds as empty", () => {
    const fact = reshapeWireFact({ header: `{"id":"${ID}","ns":"x","meta":{"_ser":1}}`, payload: "{}" });
    expect([fact.type, fact.version, fact.aggIds, fact.publishedMs]).toEqual(["", 0, [], 0n]);
  });

  it("cuts a preview on request and still reports the whole size", () => {
    const payload = JSON.stringify({ text: "x".repeat(5000) });
    const fact = reshapeWireFact({ header: HEADER, payload }, 1024);
    expect(fact.payloadJson).toBe(payload.slice(0, 1024));
    expect(fact.payloadTruncated).toBe(true);
    expect(fact.payloadBytes).toBe(BigInt(payload.length));
  });

  it("blames the store for a header that is not JSON", () => {
    expect(() => reshapeWireFact({ header: "{nope", payload: "{}" })).toThrow(
      expect.objectContaining({ code: Code.Internal, rawMessage: expect.stringContaining("not JSON") }) as ConnectError,
    );
  });
});

describe("cutPayload", () => {
  it("never cuts inside a multi-byte character", () => {
    // "ü" is 2 bytes, "😀" 4 (a surrogate pair in JS).
    const payload = `"${"ü".repeat(10)}😀😀"`;
    for (let max = 1; max < Buffer.byteLength(payload); max++) {
      const cut = cutPayload(payload, max);
      expect(Buffer.byteLength(cut.text)).toBeLessThanOrEqual(max);
      expect(payload.startsWith(cut.text)).toBe(true);
      expect(cut.text).not.toContain("\uFFFD");
    }
    expect(cutPayload(payload, 1000)).toEqual({
      text: payload,
      truncated: false,
      bytes: BigInt(Buffer.byteLength(payload)),
    });
  });
});

describe("reshapeQueriedFact", () => {
  it("takes the admin service's preview, size and serial as given", () => {
    const fact = reshapeQueriedFact(
      create(QueriedFactSchema, {
        serial: 42n,
        header: HEADER,
        payload: `{"a":`,
        payloadTruncated: true,
        payloadBytes: 9000n,
      }),
    );
    expect(fact).toMatchObject({
      serial: 42n,
      payloadJson: `{"a":`,
      payloadTruncated: true,
      payloadBytes: 9000n,
      headerJson: HEADER,
    });
  });
});
