// FactCast wire conventions the backend needs: UUIDs as signed int64 halves, FactSpecs as Jackson
// would write them, and the single-fact lookups. Kept apart so the query and fact modules read as
// "what", not "how FactCast encodes it".
import { create } from "@bufbuild/protobuf";
import type { FactFilter as AdminFilter } from "../../../gen/factline/admin/v1/admin_pb";
import { FactFilterSchema as AdminFilterSchema } from "../../../gen/factline/admin/v1/admin_pb";
import type { FactFilter } from "../../../gen/factline/console/v1/console_pb";
import {
  MSG_UUIDSchema,
  type MSG_OptionalFact,
  type MSG_UUID,
} from "../../../gen/org/factcast/grpc/api/gen/FactStore_pb";
import type { WireFact } from "../rpc/reshape";
import { UNARY_TIMEOUT_MS, type Upstream } from "./upstream";

/** A FactCast FactSpec as JSON (see the protocol reference §1.4), every field written like Jackson does. */
export interface FactCastSpec {
  ns: string;
  type: string | null;
  version: 0;
  aggIds: string[];
  meta: Record<string, string>;
  metaKeyExists: Record<string, boolean>;
  aggIdProperties: Record<string, never>;
  filterScript: null;
}

/** Java's UUID.getMost/LeastSignificantBits: two signed int64 halves. */
export function uuidToMsg(uuid: string): MSG_UUID {
  const hex = uuid.replace(/-/g, "");
  return create(MSG_UUIDSchema, {
    msb: BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)),
    lsb: BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)),
  });
}

/**
 * Console filters → FactCast specs: one spec per (filter × type), because a FactSpec holds one
 * type; an empty namespace becomes "*" (every namespace); no filters at all → one "*" spec.
 * meta → meta, meta_present/absent → metaKeyExists true/false, agg_ids → aggIds.
 */
export function toFactCastSpecs(filters: FactFilter[]): FactCastSpec[] {
  const list: (FactFilter | undefined)[] = filters.length > 0 ? filters : [undefined];
  return list.flatMap((f): FactCastSpec[] => {
    const metaKeyExists: Record<string, boolean> = {};
    for (const key of f?.metaPresent ?? []) metaKeyExists[key] = true;
    for (const key of f?.metaAbsent ?? []) metaKeyExists[key] = false;
    const base = {
      ns: f && f.ns.trim() !== "" ? f.ns : "*",
      version: 0 as const,
      aggIds: f ? f.aggIds.map((id) => id.toLowerCase()) : [],
      meta: { ...(f?.meta ?? {}) },
      metaKeyExists,
      aggIdProperties: {},
      filterScript: null,
    };
    const types = [...new Set((f?.types ?? []).filter((t) => t !== ""))];
    return types.length === 0 ? [{ ...base, type: null }] : types.map((type) => ({ ...base, type }));
  });
}

/** Console filters → factline admin filters: the same fields, another package. */
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
  return present(await upstream.factStore.fetchBySerial({ serial }, { timeoutMs: UNARY_TIMEOUT_MS, signal }));
}

export async function fetchById(upstream: Upstream, id: string): Promise<WireFact | undefined> {
  return present(await upstream.factStore.fetchById(uuidToMsg(id), { timeoutMs: UNARY_TIMEOUT_MS }));
}

export async function latestSerial(upstream: Upstream): Promise<bigint> {
  return (await upstream.factStore.latestSerial({}, { timeoutMs: UNARY_TIMEOUT_MS })).serial;
}

function present(res: MSG_OptionalFact): WireFact | undefined {
  return res.present && res.fact ? { header: res.fact.header, payload: res.fact.payload } : undefined;
}
