import { requireRead } from "../auth/permissions";
import type { Principal } from "../auth/principal";
import type { FactSpec } from "../facts/spec";
import { namespaces } from "../storage/catalog";
import type { Db } from "../storage/db";

const ANY: FactSpec = { ns: "*", version: 0, aggIds: [], meta: {}, metaKeyExists: {}, aggIdProperties: {} };

/**
 * The console's fact queries as the caller may see them: a namespace it names must be readable
 * (PERMISSION_DENIED otherwise, as FactCast's subscribe); "every namespace" (no filter, or no ns)
 * becomes every namespace it may read, so an unreadable namespace's facts never appear. An empty
 * result means the caller may read nothing at all.
 */
export async function readableSpecs(db: Db, principal: Principal, specs: FactSpec[]): Promise<FactSpec[]> {
  const asked = specs.length === 0 ? [ANY] : specs;
  requireRead(
    principal,
    asked.filter((s) => s.ns !== "*").map((s) => s.ns),
  );
  if (principal.mayRead("*") || asked.every((s) => s.ns !== "*")) return asked;
  // One containment spec per namespace keeps every branch on the GIN index of the header.
  const readable = (await namespaces(db)).filter((ns) => principal.mayRead(ns));
  return asked.flatMap((s) => (s.ns === "*" ? readable.map((ns) => ({ ...s, ns })) : [s]));
}
