/**
 * Transformations in and out of FactCast's registry layout (factcast/registry-layout/), for the
 * schema registry's import and export (store/protocol/schema-registry-service.ts): what an import
 * must check before it writes anything, how it registers them, and what an export writes —
 * registered code as transform.js, downcasts without code (registered or assumed between
 * adjacent versions) as FactCast's synthetic entries.
 */
import type { LayoutTransformation } from "../../factcast/registry-layout/layout";
import { InvalidInputError } from "../errors";
import type { StoreRuntime } from "../store";
import { listSchemas } from "../storage/schemas";
import { listTransformations } from "../storage/transformations/list";
import { registerTransformation } from "../storage/transformations/register";
import type { TransformationKey } from "../storage/transformations/types";
import { edgesOf } from "./chains";

// A transform.js is a function of a few lines; a megabyte of script is a mistake or an attack on
// the sandbox's compile step.
export const MAX_CODE_CHARS = 256 * 1024;

const describe = (t: TransformationKey) => `${t.ns}/${t.type}/${t.from}-${t.to}/transform.js`;

/**
 * Refuses an import before anything is written when one of its transformations could not be
 * registered: code too large or not compiling, or a target version with no schema (registered or
 * in the same import).
 */
export async function checkImportedTransformations(
  store: StoreRuntime,
  found: readonly LayoutTransformation[],
  importedSchemas: ReadonlyArray<{ ns: string; type: string; version: number }>,
): Promise<void> {
  const problems: string[] = [];
  for (const t of found) {
    const target = { ns: t.ns, type: t.type, version: t.to };
    const inImport = importedSchemas.some((s) => s.ns === t.ns && s.type === t.type && s.version === t.to);
    if (!inImport && !store.registry.has(target)) {
      problems.push(`${describe(t)}: no schema for version ${t.to}; add ${t.ns}/${t.type}/${t.to}/schema.json`);
      continue;
    }
    if (t.code === undefined) continue;
    if (t.code.length > MAX_CODE_CHARS) {
      problems.push(`${describe(t)}: ${t.code.length} characters; a transformation may have at most ${MAX_CODE_CHARS}`);
      continue;
    }
    const failure = await store.sandbox.checkTransformation(t.code);
    if (failure) problems.push(`${describe(t)}: does not compile: ${failure.message}`);
  }
  if (problems.length > 0) throw new InvalidInputError(`the registry cannot be imported: ${problems.join("; ")}`);
}

export interface TransformationImport {
  imported: number;
  unchanged: number;
  replaced: number;
  conflicts: TransformationKey[];
}

/** Registers an import's transformations (its schemas are registered and loaded already). */
export async function importTransformations(
  store: StoreRuntime,
  found: readonly LayoutTransformation[],
  registeredBy: string,
  force: boolean,
): Promise<TransformationImport> {
  const result: TransformationImport = { imported: 0, unchanged: 0, replaced: 0, conflicts: [] };
  const registered = await listTransformations(store.db.lookups, {});
  for (const t of found) {
    const key = { ns: t.ns, type: t.type, from: t.from, to: t.to };
    if (t.code === undefined && assumedAnyway(store, registered, key)) {
      result.unchanged++;
      continue;
    }
    const outcome = await registerTransformation(
      store.db.lookups,
      { ...key, code: t.code, description: "", registeredBy },
      force ? { reason: "replaced by a forced registry import" } : undefined,
    );
    if (outcome === "registered") result.imported++;
    else if (outcome === "unchanged") result.unchanged++;
    else if (outcome === "replaced") result.replaced++;
    else result.conflicts.push(key);
  }
  await store.transformations.registry.refresh();
  return result;
}

/** A synthetic downcast the store assumes already: adjacent schema versions, nothing registered. */
function assumedAnyway(
  store: StoreRuntime,
  registered: ReadonlyArray<TransformationKey>,
  key: TransformationKey,
): boolean {
  if (registered.some((r) => r.ns === key.ns && r.type === key.type && r.from === key.from && r.to === key.to)) {
    return false;
  }
  const versions = store.registry.versionsOf(key.ns, key.type);
  const at = versions.indexOf(key.from);
  return at > 0 && versions[at - 1] === key.to;
}

/** Everything an export writes for transformations of readable namespaces (and `ns`, when given). */
export async function exportedTransformations(
  store: StoreRuntime,
  ns: string | undefined,
  mayRead: (ns: string) => boolean,
): Promise<LayoutTransformation[]> {
  const db = store.db.lookups;
  const [registered, schemas] = await Promise.all([listTransformations(db, { ns }), listSchemas(db, { ns })]);
  const types = new Map<string, { ns: string; type: string; versions: number[]; registered: typeof registered }>();
  const typeOf = (ns: string, type: string) => {
    const id = `${ns}\u0000${type}`;
    if (!types.has(id)) types.set(id, { ns, type, versions: [], registered: [] });
    return types.get(id)!;
  };
  for (const s of schemas) typeOf(s.ns, s.type).versions.push(s.version);
  for (const t of registered) typeOf(t.ns, t.type).registered.push(t);
  const out: LayoutTransformation[] = [];
  for (const t of types.values()) {
    if (!mayRead(t.ns)) continue;
    for (const edge of edgesOf(t.registered, t.versions)) {
      out.push({
        ns: t.ns,
        type: t.type,
        from: edge.from,
        to: edge.to,
        ...(edge.code === undefined ? {} : { code: edge.code }),
      });
    }
  }
  return out;
}
