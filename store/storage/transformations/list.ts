import type { Db } from "../db";
import { RECORD_COLUMNS, toRecord, type TransformationRecord } from "./types";

/**
 * Registered transformations, optionally of one namespace or (namespace, type), ordered by ns,
 * type, from, to. `withCode` false leaves the code out (lists for people); the store's in-memory
 * registry loads everything with it (store/transformations/registry.ts).
 */
export async function listTransformations(
  db: Db,
  filter: { ns?: string; type?: string; withCode?: boolean },
): Promise<TransformationRecord[]> {
  const columns = filter.withCode === false ? RECORD_COLUMNS.replace("code,", "NULL::text AS code,") : RECORD_COLUMNS;
  const { rows } = await db.query(
    `SELECT ${columns} FROM transformation
      WHERE ($1::text IS NULL OR ns = $1) AND ($2::text IS NULL OR type = $2)
      ORDER BY ns, type, from_version, to_version`,
    [filter.ns ?? null, filter.type ?? null],
  );
  return rows.map(toRecord);
}
