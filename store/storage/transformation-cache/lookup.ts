import type { Db } from "../db";
import { cacheKeyText, keyColumns, type CacheKey } from "./keys";

/**
 * Cached payloads for a whole chunk of keys in one query — never one query per fact (FactCast's
 * issue #1294). Returns key text → payload, and the keys whose last-access stamp is old enough to
 * be refreshed (see touchCached).
 */
export async function findCached(
  db: Db,
  keys: readonly CacheKey[],
): Promise<{ payloads: Map<string, string>; stale: CacheKey[] }> {
  const payloads = new Map<string, string>();
  const stale: CacheKey[] = [];
  if (keys.length === 0) return { payloads, stale };
  const { rows } = await db.query<{ factId: string; version: number; chain: string; payload: string; stale: boolean }>(
    `SELECT c.fact_id::text AS "factId", c.version, c.chain, c.payload,
            c.accessed_at < now() - make_interval(secs => $4) AS stale
       FROM unnest($1::uuid[], $2::integer[], $3::text[]) AS k(fact_id, version, chain)
       JOIN transformation_cache c ON c.fact_id = k.fact_id AND c.version = k.version AND c.chain = k.chain`,
    [...keyColumns(keys), TOUCH_INTERVAL_S],
  );
  for (const row of rows) {
    const key = { factId: row.factId, version: row.version, chain: row.chain };
    payloads.set(cacheKeyText(key), row.payload);
    if (row.stale) stale.push(key);
  }
  return { payloads, stale };
}

// An entry's last-access stamp is refreshed at most this often: the eviction order needs only a
// coarse "recently used", and refreshing on every read would turn each cached read into a write.
export const TOUCH_INTERVAL_S = 300;

/** Marks entries as used now (for the least-recently-used eviction). */
export async function touchCached(db: Db, keys: readonly CacheKey[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `UPDATE transformation_cache c SET accessed_at = now()
       FROM unnest($1::uuid[], $2::integer[], $3::text[]) AS k(fact_id, version, chain)
      WHERE c.fact_id = k.fact_id AND c.version = k.version AND c.chain = k.chain`,
    keyColumns(keys),
  );
}
