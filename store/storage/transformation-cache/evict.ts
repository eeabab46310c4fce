import { inTransaction, type Db } from "../db";

// Advisory lock taken (without waiting) by the instance that evicts, so instances sharing a
// database do not all evict the same entries at once.
const EVICTION_LOCK_KEY = 7_316_204_812;
// Entries deleted per statement: each statement is a short transaction, so an eviction never
// holds the size row or many row locks for long while catch-ups write beside it.
const EVICTION_BATCH = 5_000;

/** The cache's total bytes (headers and payloads) and entries, as the statement triggers of migrations/060 keep them. */
export async function cacheSize(db: Db): Promise<{ bytes: number; entries: number }> {
  const { rows } = await db.query<{ bytes: string; entries: string }>(
    `SELECT bytes::text, entries::text FROM transformation_cache_size`,
  );
  return { bytes: Number(rows[0]?.bytes ?? 0), entries: Number(rows[0]?.entries ?? 0) };
}

/**
 * Deletes the least recently used entries until the cache holds at most `targetBytes`. Returns the
 * bytes freed, or undefined when another instance is evicting already.
 */
export async function evictCached(db: Db, targetBytes: number): Promise<number | undefined> {
  let freed = 0;
  for (;;) {
    const step = await inTransaction(db, async (client) => {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [
        EVICTION_LOCK_KEY,
      ]);
      if (!rows[0].locked) return undefined;
      const size = await client.query<{ bytes: string; entries: string }>(
        `SELECT bytes::text, entries::text FROM transformation_cache_size`,
      );
      const bytes = Number(size.rows[0].bytes);
      const excess = bytes - targetBytes;
      if (excess <= 0) return 0;
      // About as many entries as the excess holds, judged by the average entry.
      const average = Math.max(1, bytes / Math.max(1, Number(size.rows[0].entries)));
      const count = Math.min(EVICTION_BATCH, Math.max(1, Math.ceil(excess / average)));
      const deleted = await client.query<{ bytes: number }>(
        `DELETE FROM transformation_cache c
          USING (SELECT ser, chain FROM transformation_cache ORDER BY accessed_at LIMIT $1) v
          WHERE c.ser = v.ser AND c.chain = v.chain
         RETURNING c.bytes`,
        [count],
      );
      return deleted.rows.reduce((sum, r) => sum + r.bytes, 0);
    });
    if (step === undefined) return freed > 0 ? freed : undefined;
    if (step === 0) return freed;
    freed += step;
  }
}
