import type { Db } from "../db";
import { keyColumns, type CacheKey } from "./keys";

/**
 * Cached payloads for a whole chunk of keys in one query — never one query per fact (FactCast's
 * issue #1294). Returns the payloads in the order of `keys` (undefined where none is cached), and
 * the keys whose last-access stamp is old enough to be refreshed (see touchCached). Rows name their
 * key by its position: a warm catch-up reads a chunk's payloads and nothing else per row.
 */
export async function findCached(
  db: Db,
  keys: readonly CacheKey[],
): Promise<{ payloads: Array<string | undefined>; stale: CacheKey[] }> {
  const payloads = new Array<string | undefined>(keys.length);
  const stale: CacheKey[] = [];
  if (keys.length === 0) return { payloads, stale };
  const { rows } = await db.query<{ at: number; payload: string; stale: boolean }>(
    `SELECT k.at::integer - 1 AS at, c.payload, c.accessed_at < now() - make_interval(secs => $3) AS stale
       FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(ser, chain, at)
       JOIN transformation_cache c ON c.ser = k.ser AND c.chain = k.chain`,
    [...keyColumns(keys), TOUCH_INTERVAL_S],
  );
  for (const row of rows) {
    payloads[row.at] = row.payload;
    if (row.stale) stale.push(keys[row.at]);
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
       FROM unnest($1::bigint[], $2::text[]) AS k(ser, chain)
      WHERE c.ser = k.ser AND c.chain = k.chain`,
    keyColumns(keys),
  );
}
