/**
 * The classified structural diff of two JSON Schemas: what registering a new version means for the
 * code already running. Facts live forever and old code keeps running, so every change is judged
 * from two sides:
 *
 * - breaking for readers: the new schema admits payloads the old one rejected, so consumers written
 *   against the old schema may meet data they do not expect (a field removed from `required`, a type
 *   widened, enum values added, a constraint loosened, additional properties allowed);
 * - breaking for writers: the new schema rejects payloads the old one admitted, so producers written
 *   against the old schema may be refused on publish (a field made required, a type narrowed, enum
 *   values removed, a constraint tightened, additional properties forbidden, a format added).
 *
 * Undeclared property names. With additionalProperties open (absent or `true`), the old schema
 * already admitted any value under a name it did not declare, so declaring that name with a type
 * is, to the letter, narrower for writers. We do not flag it: a producer written against a schema
 * sends the fields that schema declares, and a change should not be "breaking" because of payloads
 * nobody was meant to write. The dry run over the stored facts, which the candidate check runs
 * beside this diff, catches the facts that really carry such a name. Symmetrically, removing an
 * optional field under an open content model breaks neither side. The assumption stops where a
 * schema speaks about undeclared names: additionalProperties `false` (an added field is then new
 * data readers never saw, a removed one is refused to writers), a schema-valued additionalProperties
 * or a matching patternProperties (a map whose keys writers do use: the two schemas are compared),
 * and a change of additionalProperties itself, which is taken at face value.
 *
 * Precision. Combinators (allOf/anyOf/oneOf/not), tuples and keywords this module does not know are
 * compared as wholes: changed means "other", breaking both ways, because we cannot prove otherwise.
 * Annotations (title, description, examples, default, $comment, deprecated, readOnly, writeOnly)
 * never break. Keywords of a type the other schema does not admit (object keywords when the type
 * went from object to string) are not compared: the type change already says it all.
 */
import { walkSchemas } from "./diff-walk";

/** Mirrors the proto enum `CHANGE_KIND_*` one to one: a kind's proto number is its index in CHANGE_KINDS + 1. */
export type ChangeKind =
  | "field_added_optional"
  | "field_added_required"
  | "field_removed"
  | "field_made_required"
  | "field_made_optional"
  | "type_widened"
  | "type_narrowed"
  | "type_changed"
  | "enum_values_added"
  | "enum_values_removed"
  | "constraint_tightened"
  | "constraint_loosened"
  | "additional_properties_allowed"
  | "additional_properties_forbidden"
  | "format_changed"
  | "description_changed"
  | "other";

export const CHANGE_KINDS: readonly ChangeKind[] = [
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
];

export interface SchemaChange {
  /** JSON pointer of the payload location: "" the root, "/customer/email", "/items/*" for array items. */
  path: string;
  kind: ChangeKind;
  /** One sentence, e.g. "type of /amount widened from integer to number". */
  description: string;
  breakingForReaders: boolean;
  breakingForWriters: boolean;
  /** The relevant part of the old and new schema, when there is one. */
  before?: unknown;
  after?: unknown;
}

/**
 * Every change between two JSON Schemas, classified, ordered by payload path (parents before
 * children), then kind. Identical schemas, and schemas differing only in key order, the order of
 * `required`, `type` or `enum`, or where their definitions live, give [].
 */
export function diffSchemas(before: unknown, after: unknown): SchemaChange[] {
  return walkSchemas(before, after).sort(compareChanges);
}

/** True when any change breaks readers (resp. writers): the verdict of a whole diff. */
export function breakingVerdict(changes: readonly SchemaChange[]): { readers: boolean; writers: boolean } {
  return {
    readers: changes.some((change) => change.breakingForReaders),
    writers: changes.some((change) => change.breakingForWriters),
  };
}

function compareChanges(x: SchemaChange, y: SchemaChange): number {
  return (
    comparePaths(x.path, y.path) ||
    CHANGE_KINDS.indexOf(x.kind) - CHANGE_KINDS.indexOf(y.kind) ||
    compareText(x.description, y.description)
  );
}

/** Segment by segment, so /a/b sorts right after /a and before /a-b. */
function comparePaths(x: string, y: string): number {
  const xs = x.split("/");
  const ys = y.split("/");
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const order = compareText(xs[i], ys[i]);
    if (order !== 0) return order;
  }
  return xs.length - ys.length;
}

/** Code-unit order: the same on every machine and locale. */
function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
