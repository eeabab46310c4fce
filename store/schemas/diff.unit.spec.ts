import { describe, expect, it } from "vitest";
import { ChangeKind as ProtoChangeKind } from "../../gen/factline/admin/v1/schemas_pb";
import { breakingVerdict, CHANGE_KINDS, diffSchemas } from "./diff";

const str = { type: "string" };
const num = { type: "number" };

function o(properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}), ...extra };
}

const withAddress = (zip: object) => ({
  type: "object",
  definitions: { address: o({ street: str, zip }, ["zip"]) },
  properties: { billing: { $ref: "#/definitions/address" }, shipping: { $ref: "#/definitions/address" } },
});

describe("diffSchemas", () => {
  it("says what changed in one sentence", () => {
    const text = (before: unknown, after: unknown) => diffSchemas(before, after).map((c) => c.description);
    expect(text(o({ customer: o({}) }), o({ customer: o({ email: str }, ["email"]) }))).toEqual([
      "required field /customer/email added",
    ]);
    expect(text(o({ amount: { type: "integer" } }), o({ amount: num }))).toEqual([
      "type of /amount widened from integer to number",
    ]);
    expect(text(o({ status: { enum: ["pending", "done"] } }), o({ status: { enum: ["done"] } }))).toEqual([
      'enum of /status lost "pending"',
    ]);
    expect(text(o({ id: str }), o({ id: str, phone: str }))).toEqual([
      "optional field /phone added (until now any value was accepted there)",
    ]);
    expect(text(o({ n: { ...num, minimum: 0 } }), o({ n: { ...num, exclusiveMinimum: 0 } }))).toEqual([
      "minimum of /n raised from >= 0 to > 0",
    ]);
    expect(text(o({ s: { ...str, maxLength: 5 } }), o({ s: str }))).toEqual(["maxLength of /s removed (was 5)"]);
    expect(text(o({}), o({}, [], { additionalProperties: false }))).toEqual([
      "additional properties of the root now forbidden",
    ]);
  });

  it("carries the relevant parts before and after", () => {
    const [typeChange] = diffSchemas(o({ note: str }), o({ note: { type: ["string", "null"] } }));
    expect(typeChange).toMatchObject({ before: "string", after: ["null", "string"] });
    const [added] = diffSchemas(o({}), o({ phone: str }));
    expect(added).toMatchObject({ after: str });
    expect(added).not.toHaveProperty("before");
  });

  it("orders by path, parents first, then by kind", () => {
    const before = o({ a: o({ b: str }), "a-b": str, z: str });
    const after = o({ a: o({ b: num, c: str }, ["c"]), "a-b": num }, [], {
      additionalProperties: false,
      description: "x",
    });
    expect(diffSchemas(before, after).map((c) => `${c.path} ${c.kind}`)).toEqual([
      " additional_properties_forbidden",
      " description_changed",
      "/a/b type_changed",
      "/a/c field_added_required",
      "/a-b type_changed",
      "/z field_removed",
    ]);
  });

  it("follows objects nested at any depth", () => {
    const deep = (leaf: object) => o({ a: o({ b: o({ c: o({ d: o({ e: leaf }) }) }) }) });
    expect(diffSchemas(deep(str), deep({ ...str, format: "uuid" })).map((c) => c.path)).toEqual(["/a/b/c/d/e"]);
  });

  it("ends on reference loops that never reach a schema", () => {
    const loop = {
      definitions: { a: { $ref: "#/definitions/b" }, b: { $ref: "#/definitions/a" } },
      properties: { x: { $ref: "#/definitions/a" } },
    };
    expect(diffSchemas(loop, loop)).toEqual([]);
    // Entering the same loop at another point is the same (unsatisfiable) schema.
    const elsewhere = { ...loop, properties: { x: { $ref: "#/definitions/b" } } };
    expect(diffSchemas(loop, elsewhere)).toEqual([]);
    expect(diffSchemas(loop, { ...loop, properties: { x: str } }).map((c) => c.kind)).toContain("other");
  });

  it("treats a description beside a $ref as an annotation of the target", () => {
    const before = { definitions: { id: str }, properties: { id: { $ref: "#/definitions/id" } } };
    const after = { definitions: { id: str }, properties: { id: { $ref: "#/definitions/id", description: "the id" } } };
    expect(diffSchemas(before, after).map((c) => [c.path, c.kind])).toEqual([["/id", "description_changed"]]);
  });

  it("reports something that is not a schema as changed, without throwing", () => {
    expect(
      diffSchemas(o({ x: 5 }), o({ x: 6 })).map((c) => [c.path, c.kind, c.breakingForReaders, c.breakingForWriters]),
    ).toEqual([["/x", "other", true, true]]);
    expect(diffSchemas(5, 5)).toEqual([]);
  });

  it("leaves its inputs untouched", () => {
    const before = deepFreeze(withAddress(str));
    const after = deepFreeze(withAddress({ ...str, maxLength: 5 }));
    expect(() => diffSchemas(before, after)).not.toThrow();
  });

  it("gives the verdict of a whole diff", () => {
    expect(breakingVerdict(diffSchemas(o({ a: str }), o({ a: str, b: str }, ["b"])))).toEqual({
      readers: false,
      writers: true,
    });
    expect(breakingVerdict([])).toEqual({ readers: false, writers: false });
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe("diffSchemas on schemas built to explode", () => {
  it("stops at its bound and says so, as a change that breaks both sides", () => {
    // Each definition uses the previous one twice: 2^22 payload paths lead to the changed leaf.
    const definitions = (leaf: object) => {
      const defs: Record<string, unknown> = { d0: leaf };
      for (let i = 1; i <= 22; i++)
        defs[`d${i}`] = o({ a: { $ref: `#/definitions/d${i - 1}` }, b: { $ref: `#/definitions/d${i - 1}` } });
      return { definitions: defs, $ref: "#/definitions/d22" };
    };
    const started = Date.now();
    const changes = diffSchemas(definitions(str), definitions({ type: "integer" }));
    // Unbounded, 2^22 paths would take minutes; the bound answers in well under a second when idle.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(changes[0]).toMatchObject({ path: "", kind: "other", breakingForReaders: true, breakingForWriters: true });
    expect(changes[0].description).toContain("too large to compare completely");
    expect(changes.length).toBeGreaterThan(1);
  });

  it("compares such schemas fully when nothing changed", () => {
    const defs: Record<string, unknown> = { d0: str };
    for (let i = 1; i <= 22; i++)
      defs[`d${i}`] = o({ a: { $ref: `#/definitions/d${i - 1}` }, b: { $ref: `#/definitions/d${i - 1}` } });
    const schema = { definitions: defs, $ref: "#/definitions/d22" };
    expect(diffSchemas(schema, structuredClone(schema))).toEqual([]);
  });
});

describe("CHANGE_KINDS", () => {
  it("mirrors the proto enum: its number is the index plus one", () => {
    const protoNames = Object.keys(ProtoChangeKind).filter(
      (name) => Number.isNaN(Number(name)) && name !== "UNSPECIFIED",
    );
    expect(CHANGE_KINDS.map((kind) => kind.toUpperCase())).toEqual(protoNames);
    for (const [i, kind] of CHANGE_KINDS.entries()) {
      expect(ProtoChangeKind[kind.toUpperCase() as keyof typeof ProtoChangeKind]).toBe(i + 1);
    }
  });
});
