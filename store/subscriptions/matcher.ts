import type { FactHeader } from "../facts/fact";
import type { FactSpec } from "../facts/spec";

/**
 * Evaluates FactSpecs in memory for facts the live tail has already read, with exactly the rules of
 * store/storage/spec-sql.ts (JSON containment semantics of PostgreSQL included).
 */
export function matchesAny(specs: FactSpec[], header: FactHeader, payload: () => unknown): boolean {
  return specs.some((spec) => matches(spec, header, payload));
}

export function matches(spec: FactSpec, header: FactHeader, payload: () => unknown): boolean {
  if (spec.ns !== "*" && header.ns !== spec.ns) return false;
  if (spec.type !== undefined && header.type !== spec.type) return false;
  if (spec.aggIds.length > 0) {
    const have = Array.isArray(header.aggIds) ? header.aggIds : [];
    if (!spec.aggIds.every((id) => have.includes(id))) return false;
  }
  const meta = header.meta ?? {};
  for (const [key, value] of Object.entries(spec.meta)) {
    const actual = Object.hasOwn(meta, key) ? meta[key] : undefined;
    if (!(actual === value || (Array.isArray(actual) && actual.includes(value)))) return false;
  }
  for (const [key, exists] of Object.entries(spec.metaKeyExists)) {
    if (Object.hasOwn(meta, key) !== exists) return false;
  }
  const properties = Object.entries(spec.aggIdProperties);
  if (properties.length > 0) {
    const otherVersion = spec.version !== 0 && (header.version ?? 0) !== spec.version;
    if (!otherVersion) {
      const body = payload();
      for (const [path, id] of properties) {
        const value = valueAt(body, path.split("."));
        if (typeof value !== "string" || value.toLowerCase() !== id) return false;
      }
    }
  }
  return true;
}

/** Like PostgreSQL's `#>>`: object keys, and integer steps (negative from the end) into arrays. */
function valueAt(root: unknown, path: string[]): unknown {
  let current: unknown = root;
  for (const step of path) {
    if (Array.isArray(current)) {
      if (!/^-?\d+$/.test(step)) return undefined;
      const i = Number(step);
      current = current[i < 0 ? current.length + i : i];
    } else if (typeof current === "object" && current !== null) {
      current = Object.hasOwn(current, step) ? (current as Record<string, unknown>)[step] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}
