import type { StoredFact } from "../../facts/fact";
import type { StoreDatabase } from "../db";
import { factById, factBySerial, serialOf } from "../lookup";
import { onReplica } from "./route";

// The fact lookups by id and serial on a usable replica. What it does not have (a fact published a
// moment ago, not replayed there yet) the primary answers, so a client that publishes and then
// fetches always finds its fact.

export function routedFactById(db: StoreDatabase, id: string): Promise<StoredFact | undefined> {
  return onReplica(db, "lookups", "lookup", (pool) => factById(pool, id), { found });
}

export function routedFactBySerial(db: StoreDatabase, ser: bigint): Promise<StoredFact | undefined> {
  return onReplica(db, "lookups", "lookup", (pool) => factBySerial(pool, ser), { found });
}

export function routedSerialOf(db: StoreDatabase, id: string): Promise<bigint | undefined> {
  return onReplica(db, "lookups", "lookup", (pool) => serialOf(pool, id), { found });
}

function found<T>(result: T | undefined): boolean {
  return result !== undefined;
}
