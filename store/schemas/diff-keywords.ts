/**
 * The schema diff's leaf comparisons: keywords that constrain one value (type, enum, bounds,
 * pattern, format) and annotations. Each pushes classified changes; none recurses.
 */
import type { SchemaChange } from "./diff";
import { BOTH, change, NEITHER, READERS, WRITERS, type Breaks } from "./diff-context";
import { canonicalJson, canonicalSchema, listValues, where, type Schema } from "./diff-json";

// ---- type -------------------------------------------------------------------------------------

const JSON_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];

/** The JSON types a schema admits; "any" when `type` is absent or lists them all. */
export type TypeSet = ReadonlySet<string> | "any";

export function typeSet(schema: Schema): TypeSet {
  const declared = schema.type;
  const types =
    typeof declared === "string" ? [declared] : Array.isArray(declared) ? declared.filter(isString) : undefined;
  if (types === undefined) return "any";
  // OpenAPI's `nullable: true` is how many schemas written for other tools say [type, "null"].
  if (schema.nullable === true) types.push("null");
  const set = new Set(types);
  return JSON_TYPES.every((type) => covers(set, type)) ? "any" : set;
}

/** Every integer is a number: `number` covers `integer`. */
function covers(set: TypeSet, type: string): boolean {
  return set === "any" || set.has(type) || (type === "integer" && set.has("number"));
}

function subset(x: TypeSet, y: TypeSet): boolean {
  if (x === "any") return y === "any";
  return [...x].every((type) => covers(y, type));
}

/** Whether values of a domain ("object", "string", "number", "array") can pass the type keyword. */
export function admits(set: TypeSet, domain: string): boolean {
  return covers(set, domain) || (domain === "number" && set !== "any" && set.has("integer"));
}

function describeTypes(set: TypeSet): string {
  return set === "any" ? "any type" : [...set].sort().join(" or ");
}

function typeValue(set: TypeSet): unknown {
  if (set === "any") return undefined;
  const sorted = [...set].sort();
  return sorted.length === 1 ? sorted[0] : sorted;
}

export function compareType(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  const before = typeSet(b);
  const after = typeSet(a);
  const wider = subset(before, after);
  const narrower = subset(after, before);
  if (wider && narrower) return;
  const [kind, verb, breaks] = wider
    ? (["type_widened", "widened", READERS] as const)
    : narrower
      ? (["type_narrowed", "narrowed", WRITERS] as const)
      : (["type_changed", "changed", BOTH] as const);
  const text = `type of ${where(path)} ${verb} from ${describeTypes(before)} to ${describeTypes(after)}`;
  out.push(change(path, kind, text, breaks, typeValue(before), typeValue(after)));
}

// ---- enum and const ---------------------------------------------------------------------------

/** The values a schema is restricted to by `const` or `enum`, or undefined when it is not. */
function allowedValues(schema: Schema): unknown[] | undefined {
  if (Object.hasOwn(schema, "const")) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : undefined;
}

export function compareEnum(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  const before = allowedValues(b);
  const after = allowedValues(a);
  if (before === undefined && after === undefined) return;
  const at = where(path);
  if (before === undefined) {
    out.push(
      change(path, "constraint_tightened", `${at} restricted to ${listValues(after!)}`, WRITERS, undefined, after),
    );
    return;
  }
  if (after === undefined) {
    out.push(
      change(path, "constraint_loosened", `${at} no longer restricted to ${listValues(before)}`, READERS, before),
    );
    return;
  }
  const keysBefore = new Set(before.map(canonicalJson));
  const keysAfter = new Set(after.map(canonicalJson));
  const added = after.filter((value) => !keysBefore.has(canonicalJson(value)));
  const removed = before.filter((value) => !keysAfter.has(canonicalJson(value)));
  if (added.length > 0) {
    out.push(change(path, "enum_values_added", `enum of ${at} gained ${listValues(added)}`, READERS, before, after));
  }
  if (removed.length > 0) {
    out.push(change(path, "enum_values_removed", `enum of ${at} lost ${listValues(removed)}`, WRITERS, before, after));
  }
}

// ---- bounds -----------------------------------------------------------------------------------

/**
 * A count bound (minLength, maxItems, minProperties …). Absent means 0 for a minimum and no limit
 * for a maximum, so `minLength: 0` appearing or vanishing is no change.
 */
export function compareCount(out: SchemaChange[], path: string, keyword: string, b: Schema, a: Schema): void {
  const x = b[keyword];
  const y = a[keyword];
  if (!isOptionalNumber(x) || !isOptionalNumber(y)) return compareWhole(out, path, keyword, b, a);
  const isMin = keyword.startsWith("min");
  const before = x ?? (isMin ? 0 : Infinity);
  const after = y ?? (isMin ? 0 : Infinity);
  if (before === after) return;
  const tighter = isMin ? after > before : after < before;
  const at = where(path);
  const text =
    x === undefined
      ? `${keyword} of ${at} set to ${y}`
      : y === undefined
        ? `${keyword} of ${at} removed (was ${x})`
        : `${keyword} of ${at} ${after > before ? "raised" : "lowered"} from ${x} to ${y}`;
  out.push(
    change(path, tighter ? "constraint_tightened" : "constraint_loosened", text, tighter ? WRITERS : READERS, x, y),
  );
}

interface Bound {
  value: number;
  exclusive: boolean;
}

/**
 * The effective lower (or upper) bound from minimum and exclusiveMinimum together, so that
 * `minimum: 0` → `exclusiveMinimum: 0` reads as one tightening, not a removal and an addition.
 * Both the draft-04 boolean and the draft-06+ numeric form of exclusiveMinimum are understood.
 */
function bound(schema: Schema, side: "lower" | "upper"): Bound | undefined {
  const [inclusive, exclusive] = side === "lower" ? ["minimum", "exclusiveMinimum"] : ["maximum", "exclusiveMaximum"];
  const candidates: Bound[] = [];
  const limit = schema[inclusive];
  if (typeof limit === "number") candidates.push({ value: limit, exclusive: schema[exclusive] === true });
  const strict = schema[exclusive];
  if (typeof strict === "number") candidates.push({ value: strict, exclusive: true });
  return candidates.reduce<Bound | undefined>(
    (best, next) => (best && !stricter(side, best, next) ? best : next),
    undefined,
  );
}

/** Whether `next` admits fewer numbers than `current`. */
function stricter(side: "lower" | "upper", current: Bound | undefined, next: Bound | undefined): boolean {
  if (next === undefined) return false;
  if (current === undefined) return true;
  if (next.value !== current.value) return side === "lower" ? next.value > current.value : next.value < current.value;
  return next.exclusive && !current.exclusive;
}

function describeBound(b: Bound, side: "lower" | "upper", plain: boolean): string {
  if (plain) return String(b.value);
  return `${side === "lower" ? ">" : "<"}${b.exclusive ? "" : "="} ${b.value}`;
}

export function compareNumericBound(
  out: SchemaChange[],
  path: string,
  side: "lower" | "upper",
  b: Schema,
  a: Schema,
): void {
  const keys = side === "lower" ? ["minimum", "exclusiveMinimum"] : ["maximum", "exclusiveMaximum"];
  for (const key of keys) {
    const ok = (value: unknown) => value === undefined || typeof value === "number" || typeof value === "boolean";
    if (!ok(b[key]) || !ok(a[key])) return compareWhole(out, path, key, b, a);
  }
  const before = bound(b, side);
  const after = bound(a, side);
  const tighter = stricter(side, before, after);
  if (!tighter && !stricter(side, after, before)) return;
  const name = side === "lower" ? "minimum" : "maximum";
  const plain = !before?.exclusive && !after?.exclusive;
  const at = where(path);
  // Same value with the exclusivity changed: a stricter lower bound reads as raised, upper as lowered.
  const raised =
    before && after && after.value !== before.value ? after.value > before.value : (side === "lower") === tighter;
  const text =
    before === undefined
      ? `${name} of ${at} set to ${describeBound(after!, side, plain)}`
      : after === undefined
        ? `${name} of ${at} removed (was ${describeBound(before, side, plain)})`
        : `${name} of ${at} ${raised ? "raised" : "lowered"} from ${describeBound(before, side, plain)} to ${describeBound(after, side, plain)}`;
  const kind = tighter ? "constraint_tightened" : "constraint_loosened";
  out.push(change(path, kind, text, tighter ? WRITERS : READERS, pick(b, keys), pick(a, keys)));
}

/** multipleOf: a multiple of the old divisor admits a subset, a divisor of it a superset. */
export function compareMultipleOf(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  const x = b.multipleOf;
  const y = a.multipleOf;
  if (x === y) return;
  if (!isOptionalNumber(x) || !isOptionalNumber(y)) return compareWhole(out, path, "multipleOf", b, a);
  const at = where(path);
  if (x === undefined) {
    out.push(change(path, "constraint_tightened", `${at} must now be a multiple of ${y}`, WRITERS, x, y));
  } else if (y === undefined) {
    out.push(change(path, "constraint_loosened", `${at} no longer needs to be a multiple of ${x}`, READERS, x, y));
  } else if (isMultiple(y, x)) {
    out.push(
      change(
        path,
        "constraint_tightened",
        `multipleOf of ${at} changed from ${x} to ${y}, a multiple of it`,
        WRITERS,
        x,
        y,
      ),
    );
  } else if (isMultiple(x, y)) {
    out.push(
      change(
        path,
        "constraint_loosened",
        `multipleOf of ${at} changed from ${x} to ${y}, a divisor of it`,
        READERS,
        x,
        y,
      ),
    );
  } else {
    out.push(
      change(path, "other", `multipleOf of ${at} changed from ${x} to ${y}, admitting other numbers`, BOTH, x, y),
    );
  }
}

function isMultiple(x: number, y: number): boolean {
  const ratio = x / y;
  // Decimal divisors (0.01) do not divide exactly in binary floating point.
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

export function compareUniqueItems(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  const before = b.uniqueItems === true;
  const after = a.uniqueItems === true;
  if (before === after) return;
  const at = where(path);
  out.push(
    after
      ? change(path, "constraint_tightened", `items of ${at} must now be unique`, WRITERS, b.uniqueItems, a.uniqueItems)
      : change(
          path,
          "constraint_loosened",
          `items of ${at} no longer need to be unique`,
          READERS,
          b.uniqueItems,
          a.uniqueItems,
        ),
  );
}

// ---- strings ----------------------------------------------------------------------------------

/** A pattern added tightens, removed loosens; a different pattern we cannot compare. */
export function comparePattern(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  const x = b.pattern;
  const y = a.pattern;
  if (x === y) return;
  const at = where(path);
  if (x === undefined)
    out.push(change(path, "constraint_tightened", `pattern ${JSON.stringify(y)} added to ${at}`, WRITERS, x, y));
  else if (y === undefined)
    out.push(change(path, "constraint_loosened", `pattern of ${at} removed (was ${JSON.stringify(x)})`, READERS, x, y));
  else
    out.push(
      change(path, "other", `pattern of ${at} changed from ${JSON.stringify(x)} to ${JSON.stringify(y)}`, BOTH, x, y),
    );
}

/** factline validates formats (ajv-formats): a format is a constraint, not an annotation. */
export function compareFormat(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  const x = b.format;
  const y = a.format;
  if (x === y) return;
  const at = where(path);
  const [text, breaks] =
    x === undefined
      ? [`format ${JSON.stringify(y)} added to ${at}`, WRITERS]
      : y === undefined
        ? [`format of ${at} removed (was ${JSON.stringify(x)})`, READERS]
        : [`format of ${at} changed from ${JSON.stringify(x)} to ${JSON.stringify(y)}`, BOTH];
  out.push(change(path, "format_changed", text, breaks, x, y));
}

// ---- annotations and the rest -----------------------------------------------------------------

/** Keywords that document and never validate. */
export const ANNOTATIONS = [
  "title",
  "description",
  "examples",
  "default",
  "$comment",
  "deprecated",
  "readOnly",
  "writeOnly",
];

export function compareAnnotations(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  for (const keyword of ANNOTATIONS) {
    const x = b[keyword];
    const y = a[keyword];
    if (canonicalJson(x) === canonicalJson(y)) continue;
    const verb = x === undefined ? "added" : y === undefined ? "removed" : "changed";
    out.push(change(path, "description_changed", `${keyword} of ${where(path)} ${verb}`, NEITHER, x, y));
  }
}

/** Draft-07 is what factline validates with when `$schema` is absent. */
function draft(value: unknown): string {
  const uri = typeof value === "string" ? value : "http://json-schema.org/draft-07/schema";
  return uri.replace(/#$/, "").replace(/^https:/, "http:");
}

export function compareIdentity(out: SchemaChange[], path: string, b: Schema, a: Schema): void {
  if (draft(b.$schema) !== draft(a.$schema)) {
    const text = `$schema of ${where(path)} changed from ${draft(b.$schema)} to ${draft(a.$schema)}; the validation rules may differ`;
    out.push(change(path, "other", text, BOTH, b.$schema, a.$schema));
  }
  if (b.$id !== a.$id) {
    const text = `$id of ${where(path)} changed from ${JSON.stringify(b.$id)} to ${JSON.stringify(a.$id)}`;
    out.push(change(path, "other", text, NEITHER, b.$id, a.$id));
  }
}

const COMBINATORS = new Set(["allOf", "anyOf", "oneOf", "not"]);

/**
 * A keyword compared as a whole (with its local references inlined): changed is "other", breaking
 * both ways, because this module cannot tell what the new value admits.
 */
export function compareWhole(
  out: SchemaChange[],
  path: string,
  keyword: string,
  b: Schema,
  a: Schema,
  roots?: Roots,
): void {
  const x = b[keyword];
  const y = a[keyword];
  if (canonicalSchema(x, roots?.before) === canonicalSchema(y, roots?.after)) return;
  const at = where(path);
  const verb = x === undefined ? "added to" : y === undefined ? "removed from" : "changed at";
  const text = COMBINATORS.has(keyword)
    ? `${keyword} ${verb} ${at}; combinators are not classified, so this may break either side`
    : keyword === "$ref"
      ? `unresolvable reference ${verb} ${at} (${JSON.stringify(x ?? null)} → ${JSON.stringify(y ?? null)})`
      : `keyword ${keyword} ${verb} ${at}; factline cannot tell what it admits`;
  out.push(change(path, "other", text, BOTH, x, y));
}

export interface Roots {
  before: unknown;
  after: unknown;
}

function pick(schema: Schema, keys: readonly string[]): Record<string, unknown> | undefined {
  const picked = Object.fromEntries(keys.filter((key) => schema[key] !== undefined).map((key) => [key, schema[key]]));
  return Object.keys(picked).length > 0 ? picked : undefined;
}

function isOptionalNumber(value: unknown): value is number | undefined {
  return value === undefined || typeof value === "number";
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

/** Breaks of a whole list of changes: what a subschema comparison amounts to. */
export function breaksOf(changes: readonly SchemaChange[]): Breaks {
  return {
    readers: changes.some((c) => c.breakingForReaders),
    writers: changes.some((c) => c.breakingForWriters),
  };
}
