// The hook for registering the demo's schemas (fact-types.ts) with the store, so a newcomer sees
// the registry filled and publishes validated. Until factline's schema registry service lands this
// deliberately does nothing and says nothing.
//
// When it lands: for each FACT_TYPES entry call its RegisterSchema (ns, type, version, schema JSON);
// treat UNIMPLEMENTED as "this server has no registry" (a plain FactCast server) and skip quietly;
// treat "already registered with the same schema" as success so reruns stay idempotent; report the
// number registered in one line. Run it before seeding, so the store validates the seeded facts.
import type { StoreConnection } from "../../cli/store-client";
import type { FactType } from "./fact-types";

export interface SchemaRegistration {
  /** Schemas the store accepted; undefined when the store has no registry. */
  registered?: number;
}

export async function registerSchemas(_store: StoreConnection, _types: readonly FactType[], _signal?: AbortSignal): Promise<SchemaRegistration> {
  return {};
}
