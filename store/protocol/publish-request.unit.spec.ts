// The hand decoders of the publish requests read what the generic decoder reads (texts compared as
// the bytes that came), including what other encoders may send: unknown fields of every wire type,
// a field given twice, empty strings, negative UUID halves.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MSG_ConditionalPublishRequestSchema, MSG_FactsSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { decodeConditionalPublish, decodeFacts } from "./publish-request";

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const facts = [
  { header: '{"id":"a","ns":"x"}', payload: '{ "z" : 1, "ü": "😀 日本" }' },
  { header: "", payload: "" },
  { header: '{"ns":"y"}', payload: "x".repeat(70_000) },
];

describe("decodeFacts", () => {
  it("reads every fact's header and payload as the generic encoder wrote them", () => {
    const bytes = toBinary(MSG_FactsSchema, create(MSG_FactsSchema, { fact: facts }));
    const decoded = decodeFacts(bytes);
    expect(decoded.fact.map((f) => ({ header: text(f.header), payload: text(f.payload) }))).toEqual(facts);
  });

  it("skips unknown fields of every wire type and keeps the last of a field given twice", () => {
    const unknown = [0x10, 0x96, 0x01, 0x19, ...Array(8).fill(1), 0x22, 0x02, 0x61, 0x62, 0x2d, 1, 2, 3, 4];
    const fact = [
      ...[0x0a, 0x01, 0x41], // header "A", replaced below
      ...unknown,
      ...[0x0a, 0x02, 0x7b, 0x7d], // header "{}"
      ...[0x12, 0x01, 0x31], // payload "1"
    ];
    const bytes = Uint8Array.from([...unknown, 0x0a, fact.length, ...fact, ...unknown]);
    expect(decodeFacts(bytes).fact.map((f) => [text(f.header), text(f.payload)])).toEqual([["{}", "1"]]);
  });

  it.each([
    ["a length past the end", [0x0a, 0x05, 0x0a]],
    ["a varint cut short", [0x10, 0x96]],
    ["wire type 3 (groups)", [0x0b]],
    ["field number 0", [0x02, 0x00]],
    ["a fixed64 cut short", [0x19, 1, 2]],
  ])("refuses %s", (_, bytes) => {
    expect(() => decodeFacts(Uint8Array.from(bytes))).toThrow();
  });
});

describe("decodeConditionalPublish", () => {
  it("reads facts, tokenPresent and a token with negative halves", () => {
    const token = { msb: -0x123456789abcdefn, lsb: 0x7fffffffffffffffn };
    const bytes = toBinary(
      MSG_ConditionalPublishRequestSchema,
      create(MSG_ConditionalPublishRequestSchema, { facts: { fact: facts }, tokenPresent: true, token }),
    );
    const decoded = decodeConditionalPublish(bytes);
    expect(decoded.tokenPresent).toBe(true);
    expect(decoded.token).toEqual(token);
    expect(decoded.facts?.fact.map((f) => text(f.payload))).toEqual(facts.map((f) => f.payload));
  });

  it("reads an absent token and facts as absent", () => {
    const bytes = toBinary(MSG_ConditionalPublishRequestSchema, create(MSG_ConditionalPublishRequestSchema, {}));
    expect(decodeConditionalPublish(bytes)).toEqual({ tokenPresent: false });
  });

  it("merges a facts field given twice, as protobuf merges messages", () => {
    const one = toBinary(
      MSG_ConditionalPublishRequestSchema,
      create(MSG_ConditionalPublishRequestSchema, { facts: { fact: [facts[0]] } }),
    );
    const two = toBinary(
      MSG_ConditionalPublishRequestSchema,
      create(MSG_ConditionalPublishRequestSchema, { facts: { fact: [facts[2]] } }),
    );
    const decoded = decodeConditionalPublish(Uint8Array.from([...one, ...two]));
    expect(decoded.facts?.fact.map((f) => text(f.header))).toEqual([facts[0].header, facts[2].header]);
  });
});
