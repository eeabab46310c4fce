/**
 * The classified diff on a table of schema pairs: every change kind, nested paths, references,
 * no-change cases. Each breaking verdict is backed by a witness payload that ajv judges both ways.
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { breakingVerdict, diffSchemas } from "./diff";
import { SHAPE_ROWS } from "./diff-table/rows-shape";
import { VALUE_ROWS } from "./diff-table/rows-values";

const ROWS = [...SHAPE_ROWS, ...VALUE_ROWS];

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
