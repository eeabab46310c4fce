import type { Db } from "../db";
import { keyColumns, type CacheKey } from "./keys";

export interface CacheEntry extends CacheKey {
  ns: string;
  type: string;
  payload: string;
}

/**
 * Stores transformed payloads; an entry another instance stored meanwhile is left as it is.
 *
 * One statement per call. The usual call holds one chain's results for a chunk (same version,
 * chain, ns and type), and its payloads are JSON texts without a raw line break (the sandbox writes
 * them with JSON.stringify): then they travel as one newline-joined text parameter that PostgreSQL
 * splits, so node-postgres copies it once instead of escaping every payload into an array literal
 * (which cost more main-thread time per fact than the whole rest of the write). Anything else takes
 * the general path of one array per column.
 */
export async function saveCached(db: Db, entries: readonly CacheEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (sharesKeyAndSplits(entries)) {
    const [first] = entries;
    await db.query(
      `INSERT INTO transformation_cache (fact_id, version, chain, ns, type, payload, bytes)
       SELECT e.fact_id::uuid, $2, $3, $4, $5, e.payload, octet_length(e.payload)
         FROM unnest(string_to_array($1, ','), string_to_array($6, E'\\n')) AS e(fact_id, payload)
       ON CONFLICT DO NOTHING`,
      [
        entries.map((e) => e.factId).join(","),
        first.version,
        first.chain,
        first.ns,
        first.type,
        entries.map((e) => e.payload).join("\n"),
      ],
    );
    return;
  }
  await db.query(
    `INSERT INTO transformation_cache (fact_id, version, chain, ns, type, payload, bytes)
     SELECT e.fact_id, e.version, e.chain, e.ns, e.type, e.payload, octet_length(e.payload)
       FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])
            AS e(fact_id, version, chain, ns, type, payload)
     ON CONFLICT DO NOTHING`,
    [...keyColumns(entries), entries.map((e) => e.ns), entries.map((e) => e.type), entries.map((e) => e.payload)],
  );
}

/**
 * Whether the entries can take the single-text path: one version, chain, ns and type; fact ids
 * without a comma (a UUID never has one; anything else is left to the uuid[] cast to refuse); and
 * payloads without a raw line break (a stored payload passed through unchanged may have one).
 */
function sharesKeyAndSplits(entries: readonly CacheEntry[]): boolean {
  const [first] = entries;
  for (const e of entries) {
    if (e.version !== first.version || e.chain !== first.chain || e.ns !== first.ns || e.type !== first.type) {
      return false;
    }
    // An empty text would split into no element at all: only a non-empty payload takes this path.
    if (e.factId.includes(",") || e.payload.length === 0 || e.payload.includes("\n")) return false;
  }
  return true;
}
