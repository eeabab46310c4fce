import type { Db } from "../db";
import { keyColumns, type CacheKey } from "./keys";

export interface CacheEntry extends CacheKey {
  ns: string;
  type: string;
  payload: string;
}

/** Stores transformed payloads; an entry another instance stored meanwhile is left as it is. */
export async function saveCached(db: Db, entries: readonly CacheEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO transformation_cache (fact_id, version, chain, ns, type, payload, bytes)
     SELECT e.fact_id, e.version, e.chain, e.ns, e.type, e.payload, octet_length(e.payload)
       FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])
            AS e(fact_id, version, chain, ns, type, payload)
     ON CONFLICT DO NOTHING`,
    [...keyColumns(entries), entries.map((e) => e.ns), entries.map((e) => e.type), entries.map((e) => e.payload)],
  );
}
