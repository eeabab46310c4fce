/**
 * JSON helpers for the schema diff: equality that ignores what JSON Schema ignores (key order,
 * the order of `required`, `type` and `enum`, where a definition lives), and local `$ref` resolution.
 */

export type Schema = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deterministic JSON for data (enum values, defaults): keys sorted, nothing resolved. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "undefined";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

/** Keywords whose values are data, not subschemas: never resolved as references. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples"]);
/** Keywords whose array order carries no meaning. */
const SET_KEYWORDS = new Set(["enum", "required", "type"]);
/** Where definitions live; they only matter through the references that reach them. */
const DEFINITION_KEYWORDS = new Set(["definitions", "$defs"]);

/**
 * Deterministic JSON for a schema with its local references inlined, so that moving or renaming a
 * definition is no change. A reference back into a definition being expanded becomes
 * `{"$cycle": n}` (n levels up), which is the same for two schemas that recurse the same way.
 * `memo` (one per root and diff) saves recomputing it: the walk asks about every subtree at every
 * level it descends.
 */
export function canonicalSchema(node: unknown, root: unknown, memo?: WeakMap<object, string>): string {
  const memoized = typeof node === "object" && node !== null ? memo?.get(node) : undefined;
  if (memoized !== undefined) return memoized;
  let text: string;
  try {
    text = JSON.stringify(expand(node, root, [], { left: MAX_EXPANSION })) ?? "undefined";
  } catch (error) {
    if (error !== TOO_LARGE) throw error;
    // Too large to inline: unique, so never "equal", so the walk compares it keyword by keyword.
    text = `\u0000too large #${++tooLarge}`;
  }
  if (typeof node === "object" && node !== null) memo?.set(node, text);
  return text;
}

/**
 * Subschemas one canonical form may inline. A generous fact schema has a few hundred; references
 * that fan out (each definition using the previous one twice) would otherwise grow exponentially.
 */
const MAX_EXPANSION = 20_000;
const TOO_LARGE = new Error("schema too large to inline");
let tooLarge = 0;

function expand(node: unknown, root: unknown, stack: readonly unknown[], budget: { left: number }): unknown {
  if (--budget.left < 0) throw TOO_LARGE;
  if (Array.isArray(node)) return node.map((item) => expand(item, root, stack, budget));
  if (!isRecord(node)) return node;
  if (typeof node.$ref === "string") {
    const target = resolveLocalRef(root, node.$ref);
    if (target !== undefined) {
      const depth = stack.indexOf(target);
      if (depth >= 0) return { $cycle: stack.length - depth };
      return expand(mergeRefTarget(target, node), root, [...stack, target], budget);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) {
    if (DEFINITION_KEYWORDS.has(key)) continue;
    const value = node[key];
    if (SET_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map((item) => canonicalJson(item)).sort();
    } else if (DATA_KEYWORDS.has(key)) {
      out[key] = sortKeys(value);
    } else {
      out[key] = expand(value, root, stack, budget);
    }
  }
  return out;
}

/**
 * The target of a local reference ("#", "#/definitions/address", "#/$defs/x", any local JSON
 * pointer), or undefined for remote references and anchors, which a pure diff cannot follow.
 */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let current: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(current) && /^\d+$/.test(token)) current = current[Number(token)];
    else if (isRecord(current) && Object.hasOwn(current, token)) current = current[token];
    else return undefined;
  }
  return current;
}

/**
 * A reference with sibling keywords: the target with the siblings laid over it. Draft-07 ignores
 * such siblings and 2019-09 applies both; in practice siblings are descriptions, which this keeps.
 */
function mergeRefTarget(target: unknown, refNode: Schema): unknown {
  const { $ref: _ref, ...siblings } = refNode;
  if (Object.keys(siblings).length === 0) return target;
  if (target === true) return siblings;
  if (!isRecord(target)) return target;
  const merged = { ...target, ...siblings };
  BASES.set(merged, baseOf(target));
  return merged;
}

/** Merged schema → the definition it was made from. */
const BASES = new WeakMap<object, object>();

/**
 * What a resolved schema is "the same definition" as, for noticing recursion: a root written as
 * `{"$schema": …, "$ref": "#/definitions/node", "definitions": …}` is the node it refers to, so
 * that meeting the node again below it ends the walk there instead of one level further down.
 */
export function baseOf(schema: object): object {
  return BASES.get(schema) ?? schema;
}

/** A schema as the diff sees it: true is `{}`, false admits nothing, undefined is not a schema. */
export type Resolved = Schema | false | undefined;

const EMPTY: Schema = Object.freeze({});

/**
 * Resolves a node against its root: booleans normalised, local `$ref` chains followed (a chain
 * that loops stays unresolved). Results are cached per raw node so a recursive schema yields the
 * same objects on every visit, which is what lets the walk notice it has been here before.
 */
export function resolveSchema(node: unknown, root: unknown, cache: WeakMap<object, Resolved>): Resolved {
  if (node === true) return EMPTY;
  if (node === false) return false;
  if (!isRecord(node)) return undefined;
  const cached = cache.get(node);
  if (cached !== undefined || cache.has(node)) return cached;
  let current: unknown = node;
  const targets = new Set<unknown>();
  while (isRecord(current) && typeof current.$ref === "string") {
    const target = resolveLocalRef(root, current.$ref);
    if (target === undefined || targets.has(target)) break;
    targets.add(target);
    current = mergeRefTarget(target, current);
  }
  const resolved: Resolved =
    current === true ? EMPTY : current === false ? false : isRecord(current) ? current : undefined;
  cache.set(node, resolved);
  return resolved;
}

/** JSON pointer of a property below `path` (RFC 6901 escaping). */
export function childPath(path: string, name: string): string {
  return `${path}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/** How a payload location reads in a sentence. */
export function where(path: string): string {
  return path === "" ? "the root" : path;
}

/** `"a", "b" and "c"` — values as they appear in JSON. */
export function listValues(values: readonly unknown[]): string {
  const texts = values.map((value) => JSON.stringify(value) ?? String(value));
  if (texts.length <= 1) return texts.join("");
  return `${texts.slice(0, -1).join(", ")} and ${texts[texts.length - 1]}`;
}
