import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors";
import { MAX_HEADER_BYTES, prepareFact } from "./fact";
import { unstorableText } from "./storable";

const ID = "3f2d8f5e-1c5b-4a8e-9b61-0c1f3e5a7d90";

function header(meta: Record<string, string> = {}): string {
  return JSON.stringify({ id: ID, ns: "ns", type: "T", version: 1, meta });
}

describe("prepareFact", () => {
  it("refuses a header over MAX_HEADER_BYTES before parsing it, saying what belongs where", () => {
    const big = header({ note: "x".repeat(MAX_HEADER_BYTES) });
    expect(() => prepareFact({ header: big, payload: "{}" }, 2)).toThrow(InvalidInputError);
    expect(() => prepareFact({ header: Buffer.from(big), payload: "{}" }, 2)).toThrow(
      `fact[2].header is ${Buffer.byteLength(big)} bytes; at most ${MAX_HEADER_BYTES} are allowed`,
    );
    // Counted in bytes, not characters: 30,000 three-byte characters are 90,000 bytes.
    expect(() => prepareFact({ header: header({ note: "€".repeat(30_000) }), payload: "{}" }, 0)).toThrow(
      "at most 65536 are allowed",
    );
    const fits = header({ note: "x".repeat(MAX_HEADER_BYTES - 200) });
    expect(prepareFact({ header: fits, payload: "{}" }, 0).header.id).toBe(ID);
  });

  it("parses a small payload with an escape here, and leaves a large one to a validation worker", () => {
    expect(() => prepareFact({ header: header(), payload: '{"a":"\\u0000"}' }, 1)).toThrow(
      "fact[1].payload.a contains \\u0000",
    );
    const large = prepareFact({ header: header(), payload: `{"a":"\\u0000","b":"${"x".repeat(70_000)}"}` }, 1);
    expect(large.parseBeforeStoring).toBe(true);
    expect(prepareFact({ header: header(), payload: `{"b":"${"x".repeat(70_000)}"}` }, 1).parseBeforeStoring).toBe(
      undefined,
    );
  });
});

describe("unstorableText", () => {
  it("names the string at fault by its path", () => {
    expect(unstorableText({ a: [1, { b: "ok" }, { c: "\u0000" }] }, "p")).toBe(
      "p.a[2].c contains \\u0000, which PostgreSQL cannot store; remove it",
    );
    expect(unstorableText({ ["k\ud800"]: 1 }, "p")).toContain(`p key "k\\ud800" contains an unpaired UTF-16 surrogate`);
    expect(unstorableText({ a: ["fine", { b: 1 }] }, "p")).toBeUndefined();
  });

  it("walks a value nested 200,000 levels deep (deeper than the stack holds calls) without overflowing the stack", () => {
    let value: unknown = "\ud800";
    for (let i = 0; i < 200_000; i++) value = [value];
    expect(unstorableText(value, "p")).toMatch(/^p\[0\]\[0\].*contains an unpaired/);
  });
});
