import type { FactFilter } from "../../gen/factline/admin/v1/admin_pb";
import { InvalidInputError } from "../errors";
import { requireSpecLimits, type FactSpec } from "../facts/spec";
import { canonicalUuid } from "../../factcast/uuid";

/**
 * factline's typed FactFilter → the store's FactSpecs (one per type, since a FactSpec has one type).
 * Validates what a caller could get wrong, naming the filter and field.
 */
export function filtersToSpecs(filters: FactFilter[]): FactSpec[] {
  const specs = filters.flatMap((filter, i) => {
    const where = `filters[${i}]`;
    const ns = filter.ns.trim() === "" ? "*" : filter.ns;
    const aggIds = filter.aggIds.map((id, j) => {
      const uuid = canonicalUuid(id);
      if (uuid === undefined)
        throw new InvalidInputError(`${where}.agg_ids[${j}] must be a UUID, got ${JSON.stringify(id)}`);
      return uuid;
    });
    const metaKeyExists: Record<string, boolean> = {};
    for (const key of filter.metaPresent) metaKeyExists[key] = true;
    for (const key of filter.metaAbsent) {
      if (metaKeyExists[key])
        throw new InvalidInputError(`${where}: meta key ${JSON.stringify(key)} cannot be both present and absent`);
      metaKeyExists[key] = false;
    }
    const base = { ns, version: 0, aggIds, meta: { ...filter.meta }, metaKeyExists, aggIdProperties: {} };
    const types = [...new Set(filter.types.filter((t) => t !== ""))];
    return types.length === 0 ? [base] : types.map((type) => ({ ...base, type }));
  });
  // The same bounds as a FactCast subscription's (one spec per filter and type).
  requireSpecLimits(specs, "filters");
  return specs;
}
