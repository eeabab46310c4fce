import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MSG_OptionalFactSchema } from "../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import { encodeOptionalFact } from "./optional-fact";

const generic = (fact?: { header: string; payload: string }) =>
  Buffer.from(
    toBinary(
      MSG_OptionalFactSchema,
      create(MSG_OptionalFactSchema, fact ? { present: true, fact } : { present: false }),
    ),
  );

describe("encodeOptionalFact", () => {
  it.each([
    ["a small fact", { header: '{"id":"x","ns":"n"}', payload: "{}" }],
    ["multi-byte text", { header: '{"ns":"ünï","t":"😀"}', payload: '{"name":"Zoë — 名前"}' }],
    ["an empty payload", { header: '{"ns":"n"}', payload: "" }],
    ["an empty header", { header: "", payload: "{}" }],
    [
      "lengths past one varint byte",
      { header: `{"ns":"${"h".repeat(300)}"}`, payload: JSON.stringify({ p: "x".repeat(70_000) }) },
    ],
  ])("writes %s byte for byte as the generic encoder", (_, fact) => {
    const encoded = encodeOptionalFact({ ser: 7n, ...fact });
    expect(encoded.bytes.equals(generic(fact))).toBe(true);
    expect(fromBinary(MSG_OptionalFactSchema, encoded.bytes).fact).toMatchObject(fact);
    expect(encoded.frame.readUInt32BE(1)).toBe(encoded.bytes.length);
  });

  it("writes a missing fact as the empty message", () => {
    const encoded = encodeOptionalFact(undefined);
    expect(encoded.bytes.equals(generic())).toBe(true);
    expect(encoded.frame).toHaveLength(5);
  });
});
