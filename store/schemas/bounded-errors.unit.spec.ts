// The decider keeps at most MAX_PAYLOAD_ERRORS errors however many failed branches ajv walks
// (store/schemas/bounded-errors.ts), and still decides every payload as ajv's own code does.
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { boundErrors } from "./bounded-errors";
import { loadDecider } from "./decider";
import { compile, MAX_PAYLOAD_ERRORS } from "./validation";

// Three ways to be a nested array, none taking a number: every level fails three times.
const branch = { type: "array", items: { $ref: "#/$defs/tree" } };
const tree = { anyOf: [branch, { ...branch, minItems: 0 }, { ...branch, maxItems: 1000 }] };
const nested = (depth: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe("the decider's errors are bounded", () => {
  it("a recursive anyOf failing 3^10 ways keeps at most MAX_PAYLOAD_ERRORS errors", () => {
    const schema = { $defs: { tree }, $ref: "#/$defs/tree" };
    const compiled = compile(schema);
    const payload = nested(10, 1);
    expect(compiled.decide(payload)).toBe(false);
    // Unbounded, the decider collected (and the list showed) 265,721 errors for this payload.
    const errors = compiled.validate(payload);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(MAX_PAYLOAD_ERRORS + 1);
    const standalone = loadDecider(compiled.deciderSource()!);
    expect(standalone(payload)).toBe(false);
    expect(standalone(nested(10, []))).toBe(true);
  });

  it("a branch that passes after thousands of failed ones still passes", () => {
    // The first alternative fails 3^8 ways for a number inside; the second takes any array.
    const schema = { $defs: { tree }, anyOf: [{ $ref: "#/$defs/tree" }, { type: "array" }] };
    const compiled = compile(schema);
    expect(compiled.decide(nested(8, 1))).toBe(true);
    expect(loadDecider(compiled.deciderSource()!)(nested(8, 1))).toBe(true);
    expect(compiled.decide("text")).toBe(false);
    expect(compiled.validate("text").length).toBeLessThanOrEqual(MAX_PAYLOAD_ERRORS + 1);
  });

  it("decides as ajv does across anyOf, oneOf, not, if/then, allOf and recursive $refs", () => {
    const node = {
      type: "object",
      properties: {
        kind: { enum: ["leaf", "pair"] },
        value: { oneOf: [{ type: "integer" }, { type: "string", minLength: 2 }] },
        children: { type: "array", items: { $ref: "#/$defs/node" }, maxItems: 3 },
      },
      required: ["kind"],
      if: { properties: { kind: { const: "pair" } } },
      then: { required: ["children"], properties: { children: { minItems: 2 } } },
      not: { required: ["forbidden"] },
      allOf: [{ anyOf: [{ required: ["value"] }, { required: ["children"] }] }],
    };
    const schema = { $defs: { node }, $ref: "#/$defs/node" };
    const leaf = (value: unknown) => ({ kind: "leaf", value });
    const payloads: unknown[] = [
      leaf(1),
      leaf("ab"),
      leaf("a"),
      leaf(1.5),
      { kind: "leaf" },
      { kind: "pair", children: [leaf(1), leaf(2)] },
      { kind: "pair", children: [leaf(1)] },
      { kind: "pair", children: [leaf(1), { kind: "pair", children: [leaf("x"), leaf(2)] }] },
      { kind: "pair", children: [leaf(1), { kind: "pair", children: [leaf("xy"), leaf(2)] }] },
      { kind: "leaf", value: 1, forbidden: true },
      { kind: "other", value: 1 },
      [],
      null,
    ];
    const ajv = new Ajv({ allErrors: false, strict: false }).compile(schema);
    const compiled = compile(schema);
    const standalone = loadDecider(compiled.deciderSource()!);
    for (const payload of payloads) {
      const expected = ajv(payload);
      expect([compiled.decide(payload), standalone(payload)], JSON.stringify(payload)).toEqual([expected, expected]);
    }
    expect(payloads.filter((p) => ajv(p)).length).toBeGreaterThan(2);
  });

  it("leaves code it does not understand unchanged", () => {
    const custom = "const err = vErrors[i];errors = vErrors.length;";
    expect(boundErrors(custom, 10)).toBe(custom);
    const unknownAppend = "vErrors = vErrors.concat(other);errors = vErrors.length;";
    expect(boundErrors(unknownAppend, 10)).toBe(unknownAppend);
  });
});
