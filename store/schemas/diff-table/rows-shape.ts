/** Rows of the diff table: no change, fields added/removed/required, types. */
import { str, num, o, address, withAddress, type Row } from "./support";

export const SHAPE_ROWS: Row[] = [
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
];
