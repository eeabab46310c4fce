import type { StoredFact } from "../../facts/fact";
import { cancellableQuery, type Db } from "../db";

// A sample is for a person waiting on a check; past this the read is cancelled (the check then
// says so) rather than left scanning a huge log.
const SAMPLE_TIMEOUT_MS = 10_000;

/**
 * The newest stored facts of one (ns, type, version), newest first, and whether there are more.
 * The containment test is served by the header index; the catalog bounds the serial range.
 */
export async function newestFactsOf(
  db: Db,
  key: { ns: string; type: string; version: number },
  limit: number,
  signal?: AbortSignal,
): Promise<{ facts: StoredFact[]; more: boolean }> {
  const { rows } = await cancellableQuery<StoredFact>(
    db,
    `SELECT ser, header::text AS header, payload::text AS payload FROM fact
      WHERE header @> $1::jsonb
        AND ser <= (SELECT last_ser FROM catalog WHERE ns = $2 AND type = $3 AND version = $4)
      ORDER BY ser DESC LIMIT $5`,
    [JSON.stringify({ ns: key.ns, type: key.type, version: key.version }), key.ns, key.type, key.version, limit + 1],
    { signal, timeoutMs: SAMPLE_TIMEOUT_MS, what: `the sample of ${key.ns}/${key.type} version ${key.version}` },
  );
  return { facts: rows.slice(0, limit), more: rows.length > limit };
}
