import type { Db } from "../db";
import { keyColumns, type CacheKey } from "./keys";

export interface CacheEntry extends CacheKey {
  /** The chain's target version. */
  version: number;
  ns: string;
  type: string;
  /** The fact's header with `version` set to the target: a warm read sends it as it is. */
  header: string;
  payload: string;
}

/**
 * Stores transformed facts; an entry another instance stored meanwhile is left as it is.
 *
 * One statement per call. The usual call holds one chain's results for a chunk (same version,
 * chain, ns and type), and its headers and payloads are JSON texts without a raw line break (the
 * store and the sandbox write them with JSON.stringify): then they travel as newline-joined text
 * parameters that PostgreSQL splits, so node-postgres copies each once instead of escaping every
 * text into an array literal (which cost more main-thread time per fact than the whole rest of the
 * write). Anything else takes the general path of one array per column.
 */
export async function saveCached(db: Db, entries: readonly CacheEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (sharesKeyAndSplits(entries)) {
    const [first] = entries;
    await db.query(
      `INSERT INTO transformation_cache (ser, chain, version, ns, type, header, payload, bytes)
       SELECT e.ser::bigint, $2, $3, $4, $5, e.header, e.payload, octet_length(e.header) + octet_length(e.payload)
         FROM unnest(string_to_array($1, ','), string_to_array($6, E'\\n'), string_to_array($7, E'\\n'))
              AS e(ser, header, payload)
       ON CONFLICT DO NOTHING`,
      [
        entries.map((e) => e.ser).join(","),
        first.chain,
        first.version,
        first.ns,
        first.type,
        entries.map((e) => e.header).join("\n"),
        entries.map((e) => e.payload).join("\n"),
      ],
    );
    return;
  }
  await db.query(
    `INSERT INTO transformation_cache (ser, chain, version, ns, type, header, payload, bytes)
     SELECT e.ser, e.chain, e.version, e.ns, e.type, e.header, e.payload, octet_length(e.header) + octet_length(e.payload)
       FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS e(ser, chain, version, ns, type, header, payload)
     ON CONFLICT DO NOTHING`,
    [
      ...keyColumns(entries),
      entries.map((e) => e.version),
      entries.map((e) => e.ns),
      entries.map((e) => e.type),
      entries.map((e) => e.header),
      entries.map((e) => e.payload),
    ],
  );
}

/**
 * Whether the entries can take the single-text path: one version, chain, ns and type; serials
 * without a comma (a decimal serial never has one; anything else is left to the bigint cast to
 * refuse); and headers and payloads without a raw line break (a stored payload passed through
 * unchanged may have one).
 */
function sharesKeyAndSplits(entries: readonly CacheEntry[]): boolean {
  const [first] = entries;
  for (const e of entries) {
    if (e.version !== first.version || e.chain !== first.chain || e.ns !== first.ns || e.type !== first.type) {
      return false;
    }
    // An empty text would split into no element at all: only non-empty texts take this path.
    if (e.ser.includes(",") || !splits(e.header) || !splits(e.payload)) return false;
  }
  return true;
}

const splits = (text: string): boolean => text.length > 0 && !text.includes("\n");
