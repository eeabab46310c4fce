/** Rows of the diff table: enum and const, numbers, strings, arrays, objects, annotations and combinators, references. */
import { str, num, o, withAddress, tree, type Row } from "./support";

export const VALUE_ROWS: Row[] = [
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
