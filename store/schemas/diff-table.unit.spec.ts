/**
 * The classified diff on a table of schema pairs: every change kind, nested paths, references,
 * no-change cases. Each breaking verdict is backed by a witness payload that ajv judges both ways.
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { breakingVerdict, diffSchemas, type ChangeKind } from "./diff";

const str = { type: "string" };
const num = { type: "number" };

/** An object schema: the shape nearly every fact payload has. */
function o(properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}), ...extra };
}

type Expected = [path: string, kind: ChangeKind, readers: boolean, writers: boolean];

interface Row {
  name: string;
  before: unknown;
  after: unknown;
  expected: Expected[];
  /** A payload the new schema admits and the old rejected: proof that readers may break. */
  readerWitness?: unknown;
  /** A payload the old schema admitted and the new rejects: proof that writers may break. */
  writerWitness?: unknown;
  /** Why a breaking verdict has no witness (ajv cannot run one side). */
  noWitness?: string;
}

const address = o({ street: str, zip: str }, ["zip"]);
const withAddress = (zip: object) => ({
  type: "object",
  definitions: { address: o({ street: str, zip }, ["zip"]) },
  properties: { billing: { $ref: "#/definitions/address" }, shipping: { $ref: "#/definitions/address" } },
});
const tree = (value: object) => ({
  $ref: "#/definitions/node",
  definitions: { node: o({ value, children: { type: "array", items: { $ref: "#/definitions/node" } } }) },
});

const ROWS: Row[] = [
  // ---- no change
  { name: "identical schemas", before: o({ id: str }, ["id"]), after: o({ id: str }, ["id"]), expected: [] },
  {
    name: "reordered properties, required, type list and enum",
    before: o({ a: { type: ["string", "null"] }, b: { enum: [1, 2, 3] } }, ["a", "b"]),
    after: {
      required: ["b", "a"],
      properties: { b: { enum: [3, 1, 2] }, a: { type: ["null", "string"] } },
      type: "object",
    },
    expected: [],
  },
  {
    name: "$schema made explicit as draft-07",
    before: o({ id: str }),
    after: { $schema: "http://json-schema.org/draft-07/schema#", ...o({ id: str }) },
    expected: [],
  },
  {
    name: "definitions moved to $defs and renamed",
    before: withAddress(str),
    after: {
      type: "object",
      $defs: { addr: address },
      properties: { billing: { $ref: "#/$defs/addr" }, shipping: { $ref: "#/$defs/addr" } },
    },
    expected: [],
  },
  {
    name: "anyOf with the same branches, keys reordered",
    before: o({ id: { anyOf: [str, { type: "integer", minimum: 1 }] } }),
    after: o({ id: { anyOf: [{ type: "string" }, { minimum: 1, type: "integer" }] } }),
    expected: [],
  },

  // ---- fields
  {
    name: "optional field added, open content model",
    before: o({ id: str }),
    after: o({ id: str, phone: str }),
    expected: [["/phone", "field_added_optional", false, false]],
  },
  {
    name: "required field added, nested",
    before: o({ customer: o({ name: str }) }),
    after: o({ customer: o({ name: str, email: str }, ["email"]) }),
    expected: [["/customer/email", "field_added_required", false, true]],
    writerWitness: { customer: { name: "Ada" } },
  },
  {
    name: "optional field added where additional properties were forbidden",
    before: o({ id: str }, [], { additionalProperties: false }),
    after: o({ id: str, phone: str }, [], { additionalProperties: false }),
    expected: [["/phone", "field_added_optional", true, false]],
    readerWitness: { phone: "0815" },
  },
  {
    name: "required field added where additional properties were forbidden",
    before: o({ id: str }, [], { additionalProperties: false }),
    after: o({ id: str, phone: str }, ["phone"], { additionalProperties: false }),
    expected: [["/phone", "field_added_required", true, true]],
    readerWitness: { phone: "0815" },
    writerWitness: {},
  },
  {
    name: "optional field added to a map of strings, with a stricter schema",
    before: o({}, [], { additionalProperties: str }),
    after: o({ code: { type: "string", maxLength: 3 } }, [], { additionalProperties: str }),
    expected: [["/code", "field_added_optional", false, true]],
    writerWitness: { code: "ABCD" },
  },
  {
    name: "required field removed",
    before: o({ id: str, email: str }, ["id", "email"]),
    after: o({ id: str }, ["id"]),
    expected: [["/email", "field_removed", true, false]],
    readerWitness: { id: "1" },
  },
  {
    name: "optional field removed, open content model",
    before: o({ id: str, nick: str }),
    after: o({ id: str }),
    expected: [["/nick", "field_removed", false, false]],
  },
  {
    name: "optional field removed as additional properties become forbidden",
    before: o({ id: str, legacy: str }),
    after: o({ id: str }, [], { additionalProperties: false }),
    expected: [
      ["", "additional_properties_forbidden", false, true],
      ["/legacy", "field_removed", false, true],
    ],
    writerWitness: { legacy: "x" },
  },
  {
    name: "field made required",
    before: o({ email: str }),
    after: o({ email: str }, ["email"]),
    expected: [["/email", "field_made_required", false, true]],
    writerWitness: {},
  },
  {
    name: "field made optional",
    before: o({ email: str }, ["email"]),
    after: o({ email: str }),
    expected: [["/email", "field_made_optional", true, false]],
    readerWitness: {},
  },
  {
    name: "field only listed in required keeps existing, loses its type",
    before: o({ id: str }, ["id"]),
    after: { type: "object", required: ["id"] },
    expected: [["/id", "type_widened", true, false]],
    readerWitness: { id: 7 },
  },
  {
    name: "field declared false (forbidden)",
    before: o({ a: str }),
    after: o({ a: str, legacy: false }),
    expected: [["/legacy", "constraint_tightened", false, true]],
    writerWitness: { legacy: 1 },
  },
  {
    name: "property names escaped as JSON pointers",
    before: o({}),
    after: o({ "a/b": str, "c~d": str }, ["a/b"]),
    expected: [
      ["/a~1b", "field_added_required", false, true],
      ["/c~0d", "field_added_optional", false, false],
    ],
    writerWitness: {},
  },

  // ---- types
  {
    name: "integer → number",
    before: o({ amount: { type: "integer" } }),
    after: o({ amount: num }),
    expected: [["/amount", "type_widened", true, false]],
    readerWitness: { amount: 1.5 },
  },
  {
    name: "string → [string, null]",
    before: o({ note: str }),
    after: o({ note: { type: ["string", "null"] } }),
    expected: [["/note", "type_widened", true, false]],
    readerWitness: { note: null },
  },
  {
    name: "nullable: true (OpenAPI style)",
    before: o({ note: str }),
    after: o({ note: { type: "string", nullable: true } }),
    expected: [["/note", "type_widened", true, false]],
    readerWitness: { note: null },
  },
  {
    name: "number → integer",
    before: o({ amount: num }),
    after: o({ amount: { type: "integer" } }),
    expected: [["/amount", "type_narrowed", false, true]],
    writerWitness: { amount: 1.5 },
  },
  {
    name: "any type → string",
    before: o({ x: {} }),
    after: o({ x: str }),
    expected: [["/x", "type_narrowed", false, true]],
    writerWitness: { x: 1 },
  },
  {
    name: "string → integer",
    before: o({ x: str }),
    after: o({ x: { type: "integer" } }),
    expected: [["/x", "type_changed", true, true]],
    readerWitness: { x: 1 },
    writerWitness: { x: "1" },
  },
  {
    name: "object → string: the object keywords are not compared",
    before: o({ a: str }, ["a"], { additionalProperties: false }),
    after: { type: "string", minLength: 1 },
    expected: [["", "type_changed", true, true]],
    readerWitness: "x",
    writerWitness: { a: "x" },
  },

  // ---- enum and const
  {
    name: "enum values added",
    before: o({ status: { enum: ["open", "closed"] } }),
    after: o({ status: { enum: ["open", "closed", "archived"] } }),
    expected: [["/status", "enum_values_added", true, false]],
    readerWitness: { status: "archived" },
  },
  {
    name: "enum values removed",
    before: o({ status: { enum: ["pending", "done"] } }),
    after: o({ status: { enum: ["done"] } }),
    expected: [["/status", "enum_values_removed", false, true]],
    writerWitness: { status: "pending" },
  },
  {
    name: "const changed",
    before: o({ kind: { const: "v1" } }),
    after: o({ kind: { const: "v2" } }),
    expected: [
      ["/kind", "enum_values_added", true, false],
      ["/kind", "enum_values_removed", false, true],
    ],
    readerWitness: { kind: "v2" },
    writerWitness: { kind: "v1" },
  },
  {
    name: "enum introduced",
    before: o({ x: str }),
    after: o({ x: { type: "string", enum: ["a"] } }),
    expected: [["/x", "constraint_tightened", false, true]],
    writerWitness: { x: "b" },
  },
  {
    name: "enum dropped",
    before: o({ x: { type: "string", enum: ["a"] } }),
    after: o({ x: str }),
    expected: [["/x", "constraint_loosened", true, false]],
    readerWitness: { x: "b" },
  },

  // ---- numbers
  {
    name: "minimum lowered",
    before: o({ n: { ...num, minimum: 0 } }),
    after: o({ n: { ...num, minimum: -10 } }),
    expected: [["/n", "constraint_loosened", true, false]],
    readerWitness: { n: -5 },
  },
  {
    name: "minimum → exclusiveMinimum at the same value",
    before: o({ n: { ...num, minimum: 0 } }),
    after: o({ n: { ...num, exclusiveMinimum: 0 } }),
    expected: [["/n", "constraint_tightened", false, true]],
    writerWitness: { n: 0 },
  },
  {
    name: "maximum removed",
    before: o({ n: { ...num, maximum: 100 } }),
    after: o({ n: num }),
    expected: [["/n", "constraint_loosened", true, false]],
    readerWitness: { n: 1000 },
  },
  {
    name: "draft-04 exclusiveMaximum: true added",
    before: o({ n: { ...num, maximum: 10 } }),
    after: o({ n: { ...num, maximum: 10, exclusiveMaximum: true } }),
    expected: [["/n", "constraint_tightened", false, true]],
    noWitness: "draft-04 boolean exclusiveMaximum is not valid draft-07",
  },
  {
    name: "multipleOf 2 → 4",
    before: o({ n: { ...num, multipleOf: 2 } }),
    after: o({ n: { ...num, multipleOf: 4 } }),
    expected: [["/n", "constraint_tightened", false, true]],
    writerWitness: { n: 2 },
  },
  {
    name: "multipleOf 0.1 → 0.01",
    before: o({ n: { ...num, multipleOf: 0.1 } }),
    after: o({ n: { ...num, multipleOf: 0.01 } }),
    expected: [["/n", "constraint_loosened", true, false]],
    readerWitness: { n: 0.05 },
  },
  {
    name: "multipleOf 2 → 3",
    before: o({ n: { ...num, multipleOf: 2 } }),
    after: o({ n: { ...num, multipleOf: 3 } }),
    expected: [["/n", "other", true, true]],
    readerWitness: { n: 3 },
    writerWitness: { n: 2 },
  },

  // ---- strings
  {
    name: "maxLength raised",
    before: o({ name: { ...str, maxLength: 10 } }),
    after: o({ name: { ...str, maxLength: 20 } }),
    expected: [["/name", "constraint_loosened", true, false]],
    readerWitness: { name: "x".repeat(15) },
  },
  {
    name: "maxLength lowered",
    before: o({ name: { ...str, maxLength: 20 } }),
    after: o({ name: { ...str, maxLength: 10 } }),
    expected: [["/name", "constraint_tightened", false, true]],
    writerWitness: { name: "x".repeat(15) },
  },
  {
    name: "minLength added",
    before: o({ name: str }),
    after: o({ name: { ...str, minLength: 3 } }),
    expected: [["/name", "constraint_tightened", false, true]],
    writerWitness: { name: "ab" },
  },
  {
    name: "pattern added",
    before: o({ code: str }),
    after: o({ code: { ...str, pattern: "^[A-Z]+$" } }),
    expected: [["/code", "constraint_tightened", false, true]],
    writerWitness: { code: "x" },
  },
  {
    name: "pattern removed",
    before: o({ code: { ...str, pattern: "^[A-Z]+$" } }),
    after: o({ code: str }),
    expected: [["/code", "constraint_loosened", true, false]],
    readerWitness: { code: "x" },
  },
  {
    name: "pattern changed",
    before: o({ code: { ...str, pattern: "^[A-Z]+$" } }),
    after: o({ code: { ...str, pattern: "^[a-z]+$" } }),
    expected: [["/code", "other", true, true]],
    readerWitness: { code: "x" },
    writerWitness: { code: "X" },
  },
  {
    name: "format added",
    before: o({ email: str }),
    after: o({ email: { ...str, format: "email" } }),
    expected: [["/email", "format_changed", false, true]],
    writerWitness: { email: "nope" },
  },
  {
    name: "format removed",
    before: o({ email: { ...str, format: "email" } }),
    after: o({ email: str }),
    expected: [["/email", "format_changed", true, false]],
    readerWitness: { email: "nope" },
  },
  {
    name: "format date → date-time",
    before: o({ at: { ...str, format: "date" } }),
    after: o({ at: { ...str, format: "date-time" } }),
    expected: [["/at", "format_changed", true, true]],
    readerWitness: { at: "2024-01-01T00:00:00Z" },
    writerWitness: { at: "2024-01-01" },
  },

  // ---- arrays
  {
    name: "array items narrowed",
    before: o({ tags: { type: "array", items: { type: ["string", "number"] } } }),
    after: o({ tags: { type: "array", items: str } }),
    expected: [["/tags/*", "type_narrowed", false, true]],
    writerWitness: { tags: [1] },
  },
  {
    name: "minItems, maxItems and uniqueItems added",
    before: o({ tags: { type: "array", items: str } }),
    after: o({ tags: { type: "array", items: str, minItems: 1, maxItems: 5, uniqueItems: true } }),
    expected: [
      ["/tags", "constraint_tightened", false, true],
      ["/tags", "constraint_tightened", false, true],
      ["/tags", "constraint_tightened", false, true],
    ],
    writerWitness: { tags: [] },
  },
  {
    name: "uniqueItems removed",
    before: o({ t: { type: "array", uniqueItems: true } }),
    after: o({ t: { type: "array" } }),
    expected: [["/t", "constraint_loosened", true, false]],
    readerWitness: { t: [1, 1] },
  },
  {
    name: "required field added inside the items of a root array",
    before: { type: "array", items: o({ id: str }) },
    after: { type: "array", items: o({ id: str, sku: str }, ["sku"]) },
    expected: [["/*/sku", "field_added_required", false, true]],
    writerWitness: [{ id: "1" }],
  },
  {
    name: "items false → true",
    before: { type: "array", items: false },
    after: { type: "array", items: true },
    expected: [["/*", "constraint_loosened", true, false]],
    readerWitness: [1],
  },
  {
    name: "tuple items changed",
    before: o({ pair: { type: "array", items: [str, num] } }),
    after: o({ pair: { type: "array", items: [str, str] } }),
    expected: [["/pair", "other", true, true]],
    readerWitness: { pair: ["a", "b"] },
    writerWitness: { pair: ["a", 1] },
  },

  // ---- objects
  {
    name: "minProperties and maxProperties loosened",
    before: o({ meta: { type: "object", minProperties: 1, maxProperties: 3 } }),
    after: o({ meta: { type: "object", maxProperties: 10 } }),
    expected: [
      ["/meta", "constraint_loosened", true, false],
      ["/meta", "constraint_loosened", true, false],
    ],
    readerWitness: { meta: {} },
  },
  {
    name: "additional properties false → true",
    before: o({ id: str }, [], { additionalProperties: false }),
    after: o({ id: str }, [], { additionalProperties: true }),
    expected: [["", "additional_properties_allowed", true, false]],
    readerWitness: { extra: 1 },
  },
  {
    name: "additional properties absent → false",
    before: o({ id: str }),
    after: o({ id: str }, [], { additionalProperties: false }),
    expected: [["", "additional_properties_forbidden", false, true]],
    writerWitness: { extra: 1 },
  },
  {
    name: "schema for additional properties narrowed",
    before: o({}, [], { additionalProperties: { type: ["string", "number"] } }),
    after: o({}, [], { additionalProperties: str }),
    expected: [["", "constraint_tightened", false, true]],
    writerWitness: { x: 1 },
  },

  // ---- annotations, combinators, the unknown
  {
    name: "description, title, examples and default changed",
    before: o({ x: { ...str, description: "old", title: "X", examples: ["a"], default: "a" } }),
    after: o({ x: { ...str, description: "new", title: "The X", examples: ["b"], default: "b" } }),
    expected: [
      ["/x", "description_changed", false, false],
      ["/x", "description_changed", false, false],
      ["/x", "description_changed", false, false],
      ["/x", "description_changed", false, false],
    ],
  },
  {
    name: "anyOf changed",
    before: o({ id: { anyOf: [str, { type: "integer" }] } }),
    after: o({ id: { anyOf: [str, { type: "boolean" }] } }),
    expected: [["/id", "other", true, true]],
    readerWitness: { id: true },
    writerWitness: { id: 1 },
  },
  {
    name: "unknown keyword changed (dependencies)",
    before: o({}, [], { dependencies: { a: ["b"] } }),
    after: o({}, [], { dependencies: { a: ["c"] } }),
    expected: [["", "other", true, true]],
    readerWitness: { a: 1, c: 1 },
    writerWitness: { a: 1, b: 1 },
  },
  {
    name: "$schema draft-07 → 2020-12",
    before: o({ id: str }),
    after: { $schema: "https://json-schema.org/draft/2020-12/schema", ...o({ id: str }) },
    expected: [["", "other", true, true]],
    noWitness: "the two sides need different validators",
  },
  {
    name: "remote $ref changed",
    before: o({ money: { $ref: "money.json#/v1" } }),
    after: o({ money: { $ref: "money.json#/v2" } }),
    expected: [["/money", "other", true, true]],
    noWitness: "remote references cannot be compiled offline",
  },

  // ---- references
  {
    name: "a definition used twice gains a pattern: reported where it is used",
    before: withAddress(str),
    after: withAddress({ ...str, pattern: "^[0-9]{5}$" }),
    expected: [
      ["/billing/zip", "constraint_tightened", false, true],
      ["/shipping/zip", "constraint_tightened", false, true],
    ],
    writerWitness: { billing: { zip: "x" } },
  },
  {
    name: "recursive schema: the change is reported once, the cycle ends",
    before: tree(str),
    after: tree(num),
    expected: [["/value", "type_changed", true, true]],
    readerWitness: { value: 1 },
    writerWitness: { value: "x" },
  },
];

function admits(schema: unknown, payload: unknown): boolean {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  return ajv.validate(schema as object, payload) as boolean;
}

describe("diffSchemas on a table of schema pairs", () => {
  it("covers every change kind", () => {
    const kinds = new Set(ROWS.flatMap((row) => row.expected.map(([, kind]) => kind)));
    expect([...kinds].sort()).toEqual(
      [
        "field_added_optional",
        "field_added_required",
        "field_removed",
        "field_made_required",
        "field_made_optional",
        "type_widened",
        "type_narrowed",
        "type_changed",
        "enum_values_added",
        "enum_values_removed",
        "constraint_tightened",
        "constraint_loosened",
        "additional_properties_allowed",
        "additional_properties_forbidden",
        "format_changed",
        "description_changed",
        "other",
      ].sort(),
    );
  });

  it.each(ROWS)("$name", (row) => {
    const changes = diffSchemas(row.before, row.after);
    expect(changes.map((c) => [c.path, c.kind, c.breakingForReaders, c.breakingForWriters])).toEqual(row.expected);
    for (const c of changes) expect(c.description).toMatch(/^\S.*\S$/);
  });

  // The breaking flags are claims about payloads: each is backed by a payload ajv judges both ways.
  it.each(ROWS)("$name: the breaking verdicts are witnessed", (row) => {
    const verdict = breakingVerdict(diffSchemas(row.before, row.after));
    if (row.noWitness) return;
    if (verdict.readers) {
      expect(row.readerWitness, "a reader witness is needed").toBeDefined();
      expect(admits(row.after, row.readerWitness), "the new schema admits the reader witness").toBe(true);
      expect(admits(row.before, row.readerWitness), "the old schema rejects the reader witness").toBe(false);
    }
    if (verdict.writers) {
      expect(row.writerWitness, "a writer witness is needed").toBeDefined();
      expect(admits(row.before, row.writerWitness), "the old schema admits the writer witness").toBe(true);
      expect(admits(row.after, row.writerWitness), "the new schema rejects the writer witness").toBe(false);
    }
  });
});
