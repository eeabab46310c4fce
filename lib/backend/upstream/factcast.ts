// The console's filters in FactCast's and factline's terms, and the single-fact lookups. Kept apart
// so the query and fact modules read as "what", not "how FactCast encodes it" (that is
// factcast/spec.ts and factcast/uuid.ts).
import { create } from "@bufbuild/protobuf";
import { factSpec, type FactSpecJson } from "../../../factcast/spec";
import { toMsgUuid } from "../../../factcast/uuid";
import type { FactFilter as AdminFilter } from "../../../gen/factline/admin/v1/admin_pb";
import { FactFilterSchema as AdminFilterSchema } from "../../../gen/factline/admin/v1/admin_pb";
import type { FactFilter } from "../../../gen/factline/console/v1/console_pb";
import type { MSG_OptionalFact } from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { WireFact } from "../rpc/reshape";
import { UNARY_TIMEOUT_MS, type Upstream } from "./upstream";

/**
 * Console filters → FactCast specs: one spec per (filter × type), because a FactSpec holds one
 * type; an empty namespace becomes "*" (every namespace); no filters at all → one "*" spec.
 * meta → meta, meta_present/absent → metaKeyExists true/false, agg_ids → aggIds, version →
 * version (the store then delivers the filter's type in that version).
 */
export function toFactCastSpecs(filters: FactFilter[]): FactSpecJson[] {
  const list: (FactFilter | undefined)[] = filters.length > 0 ? filters : [undefined];
  return list.flatMap((f): FactSpecJson[] => {
    const metaKeyExists: Record<string, boolean> = {};
    for (const key of f?.metaPresent ?? []) metaKeyExists[key] = true;
    for (const key of f?.metaAbsent ?? []) metaKeyExists[key] = false;
    const base = {
      ns: f && f.ns.trim() !== "" ? f.ns : "*",
      aggIds: f ? f.aggIds.map((id) => id.toLowerCase()) : [],
      meta: { ...(f?.meta ?? {}) },
      metaKeyExists,
      version: f?.version ?? 0,
    };
    const types = [...new Set((f?.types ?? []).filter((t) => t !== ""))];
    return types.length === 0 ? [factSpec(base)] : types.map((type) => factSpec({ ...base, type }));
  });
}

/**
 * Console filters → factline admin filters: the same fields, another package. The admin query
 * returns facts as stored, so a filter's version is not passed on (see rpc/queries.ts for how a
 * page in another version is read).
 */
export function toAdminFilters(filters: FactFilter[]): AdminFilter[] {
  return filters.map((f) =>
    create(AdminFilterSchema, {
      ns: f.ns,
      types: f.types,
      aggIds: f.aggIds.map((id) => id.toLowerCase()),
      meta: f.meta,
      metaPresent: f.metaPresent,
      metaAbsent: f.metaAbsent,
    }),
  );
}

export async function fetchBySerial(
  upstream: Upstream,
  serial: bigint,
  signal?: AbortSignal,
): Promise<WireFact | undefined> {
  return present(await upstream.facts.fetchBySerial({ serial }, { timeoutMs: UNARY_TIMEOUT_MS, signal }));
}

export async function fetchById(upstream: Upstream, id: string): Promise<WireFact | undefined> {
  return present(await upstream.facts.fetchById(toMsgUuid(id), { timeoutMs: UNARY_TIMEOUT_MS }));
}

/** FactCast's fetchByIdAndVersion: the fact as `version` (0 = as published), or undefined when absent. */
export async function fetchByIdAndVersion(
  upstream: Upstream,
  id: string,
  version: number,
  signal?: AbortSignal,
): Promise<WireFact | undefined> {
  const uuid = toMsgUuid(id);
  return present(
    await upstream.facts.fetchByIdAndVersion(
      { msb: uuid.msb, lsb: uuid.lsb, ver: version },
      { timeoutMs: UNARY_TIMEOUT_MS, signal },
    ),
  );
}

export async function latestSerial(upstream: Upstream): Promise<bigint> {
  return (await upstream.facts.latestSerial({}, { timeoutMs: UNARY_TIMEOUT_MS })).serial;
}

function present(res: MSG_OptionalFact): WireFact | undefined {
  return res.present && res.fact ? { header: res.fact.header, payload: res.fact.payload } : undefined;
}
