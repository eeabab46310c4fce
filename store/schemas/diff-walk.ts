/**
 * The schema diff's traversal: resolves references, compares one pair of subschemas keyword by
 * keyword, and recurses into properties and array items.
 */
import type { SchemaChange } from "./diff";
import { BOTH, change, READERS, WRITERS, type DiffContext } from "./diff-context";
import { baseOf, canonicalSchema, resolveSchema, where, type Resolved, type Schema } from "./diff-json";
import {
  admits,
  ANNOTATIONS,
  breaksOf,
  compareAnnotations,
  compareCount,
  compareEnum,
  compareFormat,
  compareIdentity,
  compareMultipleOf,
  compareNumericBound,
  comparePattern,
  compareType,
  compareUniqueItems,
  compareWhole,
  typeSet,
  type Roots,
} from "./diff-keywords";
import { compareObjects } from "./diff-objects";

/** Keywords handled one by one; any other keyword that changed is compared whole ("other"). */
const KNOWN = new Set([
  ...ANNOTATIONS,
  "$schema",
  "$id",
  "definitions",
  "$defs",
  "type",
  "nullable",
  "enum",
  "const",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "required",
  "additionalProperties",
  "patternProperties",
  "minProperties",
  "maxProperties",
]);

/**
 * Subschema pairs one diff compares at most. Fact schemas have hundreds; references that fan out
 * reach exponentially many payload paths, and a candidate check runs while an admin waits.
 */
const MAX_STEPS = 10_000;

interface Shared {
  roots: Roots;
  beforeCache: WeakMap<object, Resolved>;
  afterCache: WeakMap<object, Resolved>;
  beforeCanonical: WeakMap<object, string>;
  afterCanonical: WeakMap<object, string>;
  steps: number;
  /** Pairs being compared further up: meeting one again means a recursive schema came round. */
  inProgress: Array<[object, object]>;
}

export function walkSchemas(before: unknown, after: unknown): SchemaChange[] {
  const shared: Shared = {
    roots: { before, after },
    beforeCache: new WeakMap(),
    afterCache: new WeakMap(),
    beforeCanonical: new WeakMap(),
    afterCanonical: new WeakMap(),
    steps: 0,
    inProgress: [],
  };
  const out: SchemaChange[] = [];
  context(shared, out).walk("", before, after);
  if (shared.steps > MAX_STEPS) {
    const text = `the schemas are too large to compare completely (over ${MAX_STEPS} subschemas); changes past that point are not listed`;
    out.push(change("", "other", text, BOTH));
  }
  return out;
}

function context(shared: Shared, out: SchemaChange[]): DiffContext {
  const ctx: DiffContext = {
    out,
    walk: (path, before, after) => walk(shared, ctx, path, before, after),
    breaks: (path, before, after) => {
      const probe = context(shared, []);
      probe.walk(path, before, after);
      return breaksOf(probe.out);
    },
  };
  return ctx;
}

function walk(shared: Shared, ctx: DiffContext, path: string, rawBefore: unknown, rawAfter: unknown): void {
  const { roots } = shared;
  const b = resolveSchema(rawBefore ?? true, roots.before, shared.beforeCache);
  const a = resolveSchema(rawAfter ?? true, roots.after, shared.afterCache);
  const at = where(path);
  if (b === undefined || a === undefined) {
    // Not a schema at all (a number where a schema belongs): the validity check reports it; here
    // we can only say that it changed.
    if (canonicalSchema(rawBefore, roots.before) !== canonicalSchema(rawAfter, roots.after)) {
      ctx.out.push(
        change(path, "other", `schema of ${at} changed, and one side is not a valid schema`, BOTH, rawBefore, rawAfter),
      );
    }
    return;
  }
  if (b === false || a === false) {
    if (b === a) return;
    ctx.out.push(
      b === false
        ? change(
            path,
            "constraint_loosened",
            `${at} admits values again (its schema was false)`,
            READERS,
            false,
            rawAfter,
          )
        : change(
            path,
            "constraint_tightened",
            `${at} now rejects every value (its schema is false)`,
            WRITERS,
            rawBefore,
            false,
          ),
    );
    return;
  }
  const pair: [object, object] = [baseOf(b), baseOf(a)];
  if (shared.inProgress.some(([x, y]) => x === pair[0] && y === pair[1])) return;
  if (
    canonicalSchema(b, roots.before, shared.beforeCanonical) === canonicalSchema(a, roots.after, shared.afterCanonical)
  )
    return;
  if (++shared.steps > MAX_STEPS) return;

  shared.inProgress.push(pair);
  try {
    compareKeywords(ctx, path, b, a, roots);
  } finally {
    shared.inProgress.pop();
  }
}

function compareKeywords(ctx: DiffContext, path: string, b: Schema, a: Schema, roots: Roots): void {
  const out = ctx.out;
  compareType(out, path, b, a);
  compareAnnotations(out, path, b, a);
  compareIdentity(out, path, b, a);
  compareEnum(out, path, b, a);
  compareFormat(out, path, b, a);

  // Keywords of a type only apply to values of that type: when one side admits no such values,
  // the type change above already tells the story and the keywords would only add noise.
  const typesB = typeSet(b);
  const typesA = typeSet(a);
  const both = (domain: string) => admits(typesB, domain) && admits(typesA, domain);
  if (both("number")) {
    compareNumericBound(out, path, "lower", b, a);
    compareNumericBound(out, path, "upper", b, a);
    compareMultipleOf(out, path, b, a);
  }
  if (both("string")) {
    compareCount(out, path, "minLength", b, a);
    compareCount(out, path, "maxLength", b, a);
    comparePattern(out, path, b, a);
  }
  if (both("array")) {
    compareItems(ctx, path, b, a, roots);
    compareCount(out, path, "minItems", b, a);
    compareCount(out, path, "maxItems", b, a);
    compareUniqueItems(out, path, b, a);
  }
  if (both("object")) {
    compareObjects(ctx, path, b, a, roots);
    compareCount(out, path, "minProperties", b, a);
    compareCount(out, path, "maxProperties", b, a);
  }

  const unknown = new Set([...Object.keys(b), ...Object.keys(a)].filter((key) => !KNOWN.has(key)));
  for (const keyword of [...unknown].sort()) compareWhole(out, path, keyword, b, a, roots);
}

/** One schema for every item recurses at "<path>/*"; tuples are compared whole. */
function compareItems(ctx: DiffContext, path: string, b: Schema, a: Schema, roots: Roots): void {
  if (Array.isArray(b.items) || Array.isArray(a.items)) {
    compareWhole(ctx.out, path, "items", b, a, roots);
    return;
  }
  ctx.walk(`${path}/*`, b.items, a.items);
}
