/**
 * The schema diff for objects: fields added, removed, made required or optional, and the content
 * model (additionalProperties, patternProperties). Why undeclared names are judged the way they are
 * is explained in diff.ts.
 */
import { BOTH, change, NEITHER, READERS, WRITERS, type Breaks, type DiffContext } from "./diff-context";
import { canonicalSchema, childPath, isRecord, where, type Schema } from "./diff-json";
import { compareWhole, type Roots } from "./diff-keywords";

/**
 * What a schema says about a property name it does not declare: OPEN (anything, and by our
 * assumption unused), or a schema — `false` when additionalProperties forbids it, or the
 * patternProperties / additionalProperties schema writers fill a map with.
 */
const OPEN = Symbol("open content model");
type Undeclared = typeof OPEN | unknown;

function undeclared(schema: Schema, name: string, root: unknown): Undeclared {
  if (isRecord(schema.patternProperties)) {
    for (const [pattern, sub] of Object.entries(schema.patternProperties)) {
      if (matches(pattern, name)) return sub;
    }
  }
  const extra = schema.additionalProperties;
  if (extra === undefined || extra === true || canonicalSchema(extra, root) === "{}") return OPEN;
  return extra;
}

function matches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, "u").test(name);
  } catch {
    return false; // An invalid pattern matches nothing; the candidate's validity check reports it.
  }
}

function requiredNames(schema: Schema): Set<string> {
  const required = Array.isArray(schema.required) ? schema.required : [];
  return new Set(required.filter((name): name is string => typeof name === "string"));
}

function declared(schema: Schema): Schema {
  return isRecord(schema.properties) ? schema.properties : {};
}

export function compareObjects(ctx: DiffContext, path: string, b: Schema, a: Schema, roots: Roots): void {
  compareFields(ctx, path, b, a, roots);
  compareAdditional(ctx, path, b, a);
  compareWhole(ctx.out, path, "patternProperties", b, a, roots);
}

/**
 * A field exists on a side when that side declares it in `properties` or lists it in `required`
 * (required without a declaration means "present, shaped by additionalProperties").
 */
function compareFields(ctx: DiffContext, path: string, b: Schema, a: Schema, roots: Roots): void {
  const propsB = declared(b);
  const propsA = declared(a);
  const reqB = requiredNames(b);
  const reqA = requiredNames(a);
  const names = new Set([...Object.keys(propsB), ...reqB, ...Object.keys(propsA), ...reqA]);
  for (const name of [...names].sort()) {
    const at = childPath(path, name);
    const inB = Object.hasOwn(propsB, name) || reqB.has(name);
    const inA = Object.hasOwn(propsA, name) || reqA.has(name);
    const schemaB = Object.hasOwn(propsB, name) ? propsB[name] : orTrue(undeclared(b, name, roots.before));
    const schemaA = Object.hasOwn(propsA, name) ? propsA[name] : orTrue(undeclared(a, name, roots.after));
    if (inB && inA) {
      if (reqB.has(name) && !reqA.has(name)) {
        ctx.out.push(change(at, "field_made_optional", `field ${at} made optional`, READERS));
      } else if (!reqB.has(name) && reqA.has(name)) {
        ctx.out.push(change(at, "field_made_required", `field ${at} made required`, WRITERS));
      }
      ctx.walk(at, schemaB, schemaA);
    } else if (inA) {
      fieldAdded(ctx, at, schemaA, reqA.has(name), undeclared(b, name, roots.before));
    } else {
      fieldRemoved(ctx, at, schemaB, reqB.has(name), undeclared(a, name, roots.after));
    }
  }
}

function orTrue(value: Undeclared): unknown {
  return value === OPEN ? true : value;
}

function fieldAdded(ctx: DiffContext, at: string, schema: unknown, required: boolean, before: Undeclared): void {
  if (schema === false) {
    // Declaring a field `false` forbids it: a statement about writers, taken at face value.
    const breaks = before === OPEN ? WRITERS : ctx.breaks(at, before, false);
    if (breaks.readers || breaks.writers) {
      ctx.out.push(change(at, "constraint_tightened", `field ${at} is now forbidden`, breaks, undefined, false));
    }
    return;
  }
  const sub: Breaks = before === OPEN ? NEITHER : ctx.breaks(at, before, schema);
  const breaks = { readers: sub.readers, writers: required || sub.writers };
  // Say what the name admitted until now where that matters: for an optional field under an open
  // content model, the writers' change we deliberately do not flag (see diff.ts).
  const until =
    before === OPEN
      ? required
        ? ""
        : " (until now any value was accepted there)"
      : before === false
        ? " (until now it was forbidden)"
        : " (until now it fell under the schema for additional properties)";
  const text = `${required ? "required" : "optional"} field ${at} added${until}`;
  ctx.out.push(change(at, required ? "field_added_required" : "field_added_optional", text, breaks, undefined, schema));
}

function fieldRemoved(ctx: DiffContext, at: string, schema: unknown, wasRequired: boolean, after: Undeclared): void {
  if (schema === false) {
    const breaks = after === OPEN ? READERS : ctx.breaks(at, false, after);
    if (breaks.readers || breaks.writers) {
      ctx.out.push(change(at, "constraint_loosened", `field ${at} is no longer forbidden`, breaks, false));
    }
    return;
  }
  const sub: Breaks = after === OPEN ? NEITHER : ctx.breaks(at, schema, after);
  const breaks = { readers: wasRequired || sub.readers, writers: sub.writers };
  const now =
    after === OPEN
      ? ""
      : after === false
        ? " and is now forbidden"
        : " and now falls under the schema for additional properties";
  const text = `${wasRequired ? "required" : "optional"} field ${at} removed${now}`;
  ctx.out.push(change(at, "field_removed", text, breaks, schema));
}

/** additionalProperties itself changed: the content model opened, closed, or its schema changed. */
function compareAdditional(ctx: DiffContext, path: string, b: Schema, a: Schema): void {
  const x = b.additionalProperties ?? true;
  const y = a.additionalProperties ?? true;
  const breaks = ctx.breaks(path, x, y);
  if (!breaks.readers && !breaks.writers) return;
  const at = where(path);
  const [kind, text] =
    x === false
      ? (["additional_properties_allowed", `additional properties of ${at} now allowed`] as const)
      : y === false
        ? (["additional_properties_forbidden", `additional properties of ${at} now forbidden`] as const)
        : breaks.readers && breaks.writers
          ? (["other", `schema for additional properties of ${at} changed`] as const)
          : breaks.readers
            ? (["constraint_loosened", `schema for additional properties of ${at} widened`] as const)
            : (["constraint_tightened", `schema for additional properties of ${at} narrowed`] as const);
  ctx.out.push(
    change(path, kind, text, kind === "other" ? BOTH : breaks, b.additionalProperties, a.additionalProperties),
  );
}
